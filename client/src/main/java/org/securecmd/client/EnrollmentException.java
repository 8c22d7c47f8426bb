package org.securecmd.client;

import org.securecmd.protocol.ErrorCode;

/**
 * The server refused a TPM-attested enrollment ({@link #code()} is its ERR code: {@code FORBIDDEN},
 * {@code PENDING} with the request's id, {@code BAD_ATTESTATION}, ...), or what it answered is not what the
 * protocol says ({@link #code()} is null).
 */
public final class EnrollmentException extends Exception {
  private final ErrorCode code;

  public EnrollmentException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** The server's ERR code, or null when its answer itself failed our checks. */
  public ErrorCode code() {
    return code;
  }
}
