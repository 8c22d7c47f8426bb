package org.securecmd.client;

/** A request could not be made; {@link #kind()} says at which stage, the message which check failed. */
public final class ClientException extends Exception {
  /** The stage that failed; the CLI maps each to its exit code. */
  public enum Kind {
    /** The TLS handshake or a certificate check failed (exit code 3). */
    TLS,
    /** Connecting, reading or writing failed, or the server closed the connection (exit code 4). */
    NETWORK
  }

  private final Kind kind;

  public ClientException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
