package org.securecmd.daemon.config;

import java.util.List;
import java.util.Set;

/**
 * {@code [commands.NAME]}: a configured verb. Exactly one of {@code reply} and {@code replyFile} is set.
 *
 * @param replyFile a path that may contain {@code {client}} (the certificate's one CN), read at request time
 * @param allow identity patterns allowed to run it; they match certified clients only; empty allows nobody
 * @param allowAnonymous whether clients without a certificate may run it
 */
public record CommandSettings(String name, String reply, String replyFile, ReplyEncoding encoding,
                              List<String> allow, boolean allowAnonymous) {
  /** Answered by the daemon itself (the command package's {@code Ping}, {@code WhoAmI}, {@code Renew}). */
  public static final String PING = "PING";
  public static final String WHOAMI = "WHOAMI";
  /** Exists only with {@code [enrollment]}. */
  public static final String RENEW = "RENEW";
  /** The built-in verbs; a config cannot redefine them. */
  public static final Set<String> BUILT_IN_VERBS = Set.of(PING, WHOAMI, RENEW);

  public CommandSettings {
    allow = List.copyOf(allow);
    if ((reply == null) == (replyFile == null)) throw new IllegalArgumentException("exactly one of reply, reply_file");
  }

  /** A command for certified clients only ({@code allow_anonymous = false}, the default). */
  public CommandSettings(String name, String reply, String replyFile, ReplyEncoding encoding, List<String> allow) {
    this(name, reply, replyFile, encoding, allow, false);
  }
}
