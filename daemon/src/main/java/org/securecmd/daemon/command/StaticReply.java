package org.securecmd.daemon.command;

/** {@code reply = "..."}: the same line for everyone, checked (and encoded) when the config loaded. */
record StaticReply(Answer answer) implements CommandHandler {
  @Override
  public Answer handle(Call call) {
    return answer;
  }
}
