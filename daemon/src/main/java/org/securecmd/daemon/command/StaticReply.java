package org.securecmd.daemon.command;

import org.securecmd.daemon.auth.Identity;
import org.securecmd.protocol.Reply;

/** {@code reply = "..."}: the same line for everyone, checked (and encoded) when the config loaded. */
record StaticReply(Reply reply) implements CommandHandler {
  @Override
  public Reply handle(Identity identity) {
    return reply;
  }
}
