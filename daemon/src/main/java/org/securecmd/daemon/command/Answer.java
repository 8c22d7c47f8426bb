package org.securecmd.daemon.command;

import java.util.Optional;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;

/**
 * What a handler answers: the reply text, or an {@link ErrorCode} and its human text. The wire line is made
 * once, when the answer is, so a constant answer ({@code PONG}, a static {@code reply}) costs nothing per
 * request.
 */
public final class Answer {
  /** The code of a refusal; null for a success (read through {@link #error}). */
  private final ErrorCode error;
  private final Reply reply;

  private Answer(ErrorCode error, Reply reply) {
    this.error = error;
    this.reply = reply;
  }

  /** A success; {@code text} must be one line and must not read as an error (see {@link Reply#ok}). */
  public static Answer ok(String text) {
    return new Answer(null, Reply.ok(text));
  }

  /** A refusal; control characters in {@code text} are replaced by '?'. */
  public static Answer error(ErrorCode code, String text) {
    return new Answer(code, Reply.error(code, text));
  }

  /** The code of a refusal, empty for a success. */
  public Optional<ErrorCode> error() {
    return Optional.ofNullable(error);
  }

  public boolean isError() {
    return error != null;
  }

  /** The line as it is sent. */
  public Reply reply() {
    return reply;
  }

  @Override
  public String toString() {
    return reply.line();
  }
}
