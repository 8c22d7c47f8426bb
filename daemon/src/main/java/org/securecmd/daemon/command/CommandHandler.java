package org.securecmd.daemon.command;

/** Answers one verb. Implementations are immutable and safe to call from many connections at once. */
@FunctionalInterface
interface CommandHandler {
  /** The answer to {@code call}; never throws for expected failures, which are {@code ERR} answers. */
  Answer handle(Call call);
}
