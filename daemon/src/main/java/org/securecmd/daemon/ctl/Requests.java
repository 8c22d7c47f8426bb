package org.securecmd.daemon.ctl;

import java.util.List;

/** Command-line words to the admin request line, checked before anything is sent. */
final class Requests {
  private Requests() {}

  /** @throws IllegalArgumentException with a usage message */
  static String line(List<String> words) {
    if (words.isEmpty()) throw new IllegalArgumentException("no subcommand");
    String sub = words.getFirst();
    List<String> rest = words.subList(1, words.size());
    return switch (sub) {
      case "status", "connections", "reload", "revoked", "metrics" -> {
        if (!rest.isEmpty()) throw new IllegalArgumentException(sub + " takes no argument");
        yield sub;
      }
      case "disconnect" -> "disconnect " + one(sub, rest, "ID");
      case "unrevoke" -> "unrevoke " + one(sub, rest, "IDENTITY|SERIAL");
      case "revoke" -> RevokeRequest.line(rest);
      default -> throw new IllegalArgumentException("unknown subcommand \"" + sub + "\"");
    };
  }

  private static String one(String sub, List<String> rest, String what) {
    if (rest.size() != 1 || rest.getFirst().isBlank()) throw new IllegalArgumentException(sub + " needs " + what);
    String v = rest.getFirst();
    if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException(sub + ": control characters are not allowed");
    }
    return v;
  }
}
