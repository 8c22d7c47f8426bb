package org.securecmd.daemon.command;

import org.securecmd.daemon.auth.Identity;
import org.securecmd.protocol.Reply;

/** Answers one verb. Implementations are immutable and safe to call from many connections at once. */
@FunctionalInterface
interface CommandHandler {
  /** The reply for {@code identity}; never throws for expected failures, which are {@code ERR} replies. */
  Reply handle(Identity identity);
}
