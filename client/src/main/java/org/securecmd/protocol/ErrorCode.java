package org.securecmd.protocol;

/**
 * The stable error codes of protocol version 1, sent as {@code ERR <CODE> <human text>}.
 * Codes are never renamed or reused; new ones may be added.
 */
public enum ErrorCode {
  /** The verb is not configured on this server. */
  UNKNOWN_COMMAND,
  /** The client's identity may not connect, is revoked, or may not run this verb. */
  FORBIDDEN,
  /** The line is not a request: empty, not UTF-8, or contains control characters. */
  BAD_REQUEST,
  /** The line exceeded {@code max_line_bytes}; the server closes the connection after this reply. */
  LINE_TOO_LONG,
  /** A limit was reached (requests per connection); the server closes the connection after this reply. */
  BUSY,
  /** The command is configured but its data cannot be served now (e.g. its reply file is missing). */
  UNAVAILABLE,
  /** A bug or unexpected failure on the server; details are in the server's log only. */
  INTERNAL,
  /** RENEW: the certificate is not due for renewal yet, or was renewed with the same key too recently. */
  NOT_DUE,
  /** RENEW: the argument is not a base64 DER PKCS#10 CSR, or the CSR's signature does not verify. */
  BAD_CSR,
  /** RENEW: the CSR's key is too weak or of an unsupported type (allowed: RSA >= 2048, EC P-256, EC P-384). */
  WEAK_KEY,
  /**
   * ENROLL-PROOF: the whole TPM proof held, and the device now waits for an operator's approval
   * ({@code enroll = "approve"}); the text is the request's id, stable per TPM. Run the enrollment again after
   * {@code securecmdctl enroll approve}.
   */
  PENDING,
  /**
   * ENROLL, ENROLL-PROOF, an attested RENEW: TPM evidence that does not hold (a malformed structure, a wrong
   * secret or nonce, a signature by another key, a key that may leave its TPM); the text names the check.
   */
  BAD_ATTESTATION,
  /** Reserved for QUOTE (state attestation): the command needs a current TPM quote of this connection. */
  ATTESTATION_REQUIRED,
  /** Reserved for QUOTE (state attestation): the quoted PCR state does not match what the command requires. */
  STATE_MISMATCH;

  /** Returns the code named {@code name}, or {@code null} for a code this version does not know. */
  public static ErrorCode byName(String name) {
    for (ErrorCode c : values()) {
      if (c.name().equals(name)) return c;
    }
    return null;
  }
}
