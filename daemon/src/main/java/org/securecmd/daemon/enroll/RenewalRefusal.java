package org.securecmd.daemon.enroll;

import org.securecmd.protocol.ErrorCode;

/** Why a {@code RENEW} was refused: the metric label ({@link #label}) and the reply's code ({@link #errorCode}). */
public enum RenewalRefusal {
  /** No client certificate, not on {@code [enrollment] allow}, revoked, or the certificate no longer valid. */
  FORBIDDEN("forbidden", ErrorCode.FORBIDDEN),
  /** The certificate does not expire within {@code renew_before} yet, or was renewed with this key too recently. */
  NOT_DUE("not_due", ErrorCode.NOT_DUE),
  /** The argument is not base64 of a PKCS#10 CSR, or the CSR's signature does not verify. */
  BAD_CSR("bad_csr", ErrorCode.BAD_CSR),
  /** The CSR's key is too weak or of an unsupported type. */
  WEAK_KEY("weak_key", ErrorCode.WEAK_KEY),
  /** A new key for a TPM-attested certificate without a certify of it by the enrolled AK, or one that does not hold. */
  BAD_ATTESTATION("bad_attestation", ErrorCode.BAD_ATTESTATION),
  /** Issuing or recording failed on the server (details in its log). */
  FAILED("failed", ErrorCode.UNAVAILABLE);

  private final String label;
  private final ErrorCode errorCode;

  RenewalRefusal(String label, ErrorCode errorCode) {
    this.label = label;
    this.errorCode = errorCode;
  }

  public String label() {
    return label;
  }

  public ErrorCode errorCode() {
    return errorCode;
  }
}
