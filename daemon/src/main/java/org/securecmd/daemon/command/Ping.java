package org.securecmd.daemon.command;

import org.securecmd.daemon.auth.Identity;
import org.securecmd.protocol.Reply;

/** {@code PING} → {@code PONG}: lets a device check the whole path without touching any secret. */
final class Ping implements CommandHandler {
  private static final Reply PONG = Reply.ok("PONG");

  @Override
  public Reply handle(Identity identity) {
    return PONG;
  }
}
