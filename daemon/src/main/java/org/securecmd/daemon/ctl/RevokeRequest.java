package org.securecmd.daemon.ctl;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code revoke [--serial] VALUE [--reason TEXT]} to its admin request line, {@code revoke KIND VALUE}
 * then tab-separated {@code reason=TEXT} and {@code by=USER} (entries and reasons have no control
 * characters, so a tab separates them unambiguously). Kept apart from {@link Requests} so the revoke
 * options stay in one place.
 */
final class RevokeRequest {
  /** Exit code: the revocation is in effect on this host only until the shared state store is back. */
  static final int THIS_HOST_ONLY = 5;

  private RevokeRequest() {}

  /** @throws IllegalArgumentException with a usage message */
  static String line(List<String> rest) {
    List<String> words = new ArrayList<>();
    String reason = null;
    boolean serial = false;
    for (int i = 0; i < rest.size(); i++) {
      switch (rest.get(i)) {
        case "--serial" -> serial = true;
        case "--reason" -> {
          if (i + 1 >= rest.size() || rest.get(i + 1).isBlank()) throw new IllegalArgumentException("--reason needs TEXT");
          reason = rest.get(++i).strip();
          if (reason.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("revoke: --reason is one line without control characters");
          }
        }
        default -> words.add(rest.get(i));
      }
    }
    if (words.size() != 1 || words.getFirst().isBlank()) {
      throw new IllegalArgumentException("revoke needs IDENTITY (or --serial HEX)");
    }
    String v = words.getFirst();
    if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("revoke: control characters are not allowed");
    }
    return "revoke " + (serial ? "serial " : "identity ") + v + (reason == null ? "" : "\treason=" + reason);
  }

  /** Adds who asks ({@code by=}, the login name), which the daemon records as {@code user@host}. */
  static String signed(String request) {
    String user = System.getProperty("user.name", "");
    if (!request.startsWith("revoke ") || !user.matches("[A-Za-z0-9_.-]{1,64}\\$?")) return request;
    return request + "\tby=" + user;
  }
}
