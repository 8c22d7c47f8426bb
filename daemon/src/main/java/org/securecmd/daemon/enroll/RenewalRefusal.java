package org.securecmd.daemon.enroll;

/**
 * Why a {@code RENEW} was refused: the metric label ({@link #label}) and the reply's ERR code name
 * ({@link #errorCode}, an {@code org.securecmd.protocol.ErrorCode}).
 */
public enum RenewalRefusal {
  /** No client certificate, not on {@code [enrollment] allow}, revoked, or the certificate no longer valid. */
  FORBIDDEN("forbidden", "FORBIDDEN"),
  /** The certificate does not expire within {@code renew_before} yet, or was renewed with this key too recently. */
  NOT_DUE("not_due", "NOT_DUE"),
  /** The argument is not base64 of a PKCS#10 CSR, or the CSR's signature does not verify. */
  BAD_CSR("bad_csr", "BAD_CSR"),
  /** The CSR's key is too weak or of an unsupported type. */
  WEAK_KEY("weak_key", "WEAK_KEY"),
  /** Issuing or recording failed on the server (details in its log). */
  FAILED("failed", "UNAVAILABLE");

  private final String label;
  private final String errorCode;

  RenewalRefusal(String label, String errorCode) {
    this.label = label;
    this.errorCode = errorCode;
  }

  public String label() {
    return label;
  }

  public String errorCode() {
    return errorCode;
  }
}
