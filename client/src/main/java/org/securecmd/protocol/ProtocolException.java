package org.securecmd.protocol;

/** A request line that cannot be served; carries the code the reply must use. */
public final class ProtocolException extends Exception {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** The reply that tells the peer about this failure. */
  public Reply toReply() {
    return Reply.error(code, getMessage());
  }
}
