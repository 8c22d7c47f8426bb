package org.securecmd.daemon.command;

/** {@code PING} → {@code PONG}: lets a device check the whole path without touching any secret. */
final class Ping implements CommandHandler {
  private static final Answer PONG = Answer.ok("PONG");

  @Override
  public Answer handle(Call call) {
    return PONG;
  }
}
