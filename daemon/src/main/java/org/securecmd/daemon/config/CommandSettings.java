package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code [commands.NAME]}: a configured verb. Exactly one of {@code reply} and {@code replyFile} is set.
 *
 * @param replyFile a path that may contain {@code {client}}, read at request time
 * @param allow identity patterns allowed to run it; empty allows nobody
 */
public record CommandSettings(String name, String reply, String replyFile, ReplyEncoding encoding,
                              List<String> allow) {
  public CommandSettings {
    allow = List.copyOf(allow);
    if ((reply == null) == (replyFile == null)) throw new IllegalArgumentException("exactly one of reply, reply_file");
  }
}
