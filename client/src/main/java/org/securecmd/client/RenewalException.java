package org.securecmd.client;

import org.securecmd.protocol.ErrorCode;

/**
 * The server refused {@code RENEW} ({@link #code()} is its ERR code, e.g. {@code NOT_DUE}), or what it
 * returned is not a certificate for our key and our names ({@link #code()} is null).
 */
public final class RenewalException extends Exception {
  private final ErrorCode code;

  public RenewalException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** The server's ERR code, or null when the reply itself failed our checks. */
  public ErrorCode code() {
    return code;
  }
}
