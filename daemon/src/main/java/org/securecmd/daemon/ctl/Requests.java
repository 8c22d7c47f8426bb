package org.securecmd.daemon.ctl;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The words after the global options, to one admin request line (or a subcommand's help), checked before
 * anything is sent. Each subcommand parses its own options, anywhere up to {@code --}; after {@code --}
 * every word is an argument, so {@code revoke -- --json} revokes an identity named "--json".
 */
final class Requests {
  private static final Map<String, Subcommand> SUBCOMMANDS = table(
      Subcommand.plain("status", "version, uptime, config, generation and last reload, listener, counters,\n"
          + "certificate expiry"),
      Subcommand.plain("connections", "open connections: id, identity, remote address, since, requests"),
      new Subcommand("disconnect", "[--] ID", "close the open connection ID (see connections)", Set.of(), Set.of(), 1,
          p -> "disconnect " + p.argument()),
      Subcommand.plain("reload", "reload config and certificates (as SIGHUP); exits 1 when the new configuration\n"
          + "was refused, and the old one keeps serving"),
      new Subcommand("revoke", "[--serial] [--reason TEXT] [--] IDENTITY|HEX",
          "deny a device by name (CN or SAN), now and after restarts; closes its open connections\n"
          + "--serial  the argument is a certificate serial number (hex) instead\n"
          + "--reason  why (kept with the entry, with who and when; shown by revoked)", Set.of("--serial"),
          Set.of("--reason"), 1, RevokeRequest::line),
      new Subcommand("unrevoke", "[--] IDENTITY|HEX",
          "remove an entry from the deny list; says whether it was an identity, a serial or both", Set.of(),
          Set.of(), 1, p -> "unrevoke " + p.argument()),
      Subcommand.plain("revoked", "list the deny list"),
      Subcommand.plain("metrics", "counters in Prometheus text format"),
      Subcommand.plain("issued", "certificates issued by RENEW: serial, identity, not-after, old serial, time"),
      new Subcommand("enroll", "ACTION [ARGUMENTS]", EnrollCommand.DESCRIPTION,
          Set.of(), Set.of(), 0, p -> "enroll"),
      new Subcommand("issued-index", "", "the same as lines for the issuing CA directory's index.txt\n"
          + "(append them to it so securecmd-pki crl can revoke them)", Set.of(), Set.of(), 0, p -> "issued"));
  private static final Set<String> GLOBAL = Set.of("--socket", "--config", "--json");

  private Requests() {}

  /** What to do: send a request, or print a subcommand's help. */
  sealed interface Action {}

  record Send(String subcommand, String line) implements Action {}

  record Help(String text) implements Action {}

  /**
   * {@code enroll import}: the CSV's entries, each already checked here (a refusal is reported without
   * being sent), sent in pieces that fit the admin protocol's line.
   */
  record Import(List<EnrollImport.Entry> entries) implements Action {}

  static Iterable<Subcommand> all() {
    return SUBCOMMANDS.values();
  }

  /** @throws IllegalArgumentException with a usage message */
  static Action parse(List<String> words) {
    if (words.isEmpty()) throw new IllegalArgumentException("no subcommand");
    String name = words.getFirst();
    Subcommand sub = SUBCOMMANDS.get(name);
    if (sub == null) throw new IllegalArgumentException("unknown subcommand \"" + name + "\"");
    if (name.equals("enroll")) return EnrollCommand.parse(words.subList(1, words.size()), sub.help());
    Set<String> flags = new HashSet<>();
    Map<String, String> values = new HashMap<>();
    List<String> arguments = new java.util.ArrayList<>();
    boolean options = true;
    for (int i = 1; i < words.size(); i++) {
      String w = words.get(i);
      if (options && w.equals("--")) {
        options = false;
      } else if (options && w.startsWith("-") && w.length() > 1) {
        if (w.equals("--help") || w.equals("-h")) return new Help(sub.help());
        if (sub.flags().contains(w)) {
          flags.add(w);
        } else if (sub.valued().contains(w)) {
          if (++i >= words.size()) throw new IllegalArgumentException(name + ": " + w + " needs a value");
          values.put(w, checked(name, words.get(i)));
        } else {
          throw new IllegalArgumentException(name + ": unknown option " + w + (GLOBAL.contains(w)
              ? " (global options go before the subcommand)" : " (put a name that starts with \"-\" after \"--\")"));
        }
      } else {
        arguments.add(checked(name, w));
      }
    }
    if (arguments.size() != sub.arguments()) {
      throw new IllegalArgumentException(sub.arguments() == 0 ? name + " takes no argument"
          : "usage: " + sub.usage());
    }
    return new Send(name, sub.request().apply(new Subcommand.Parsed(flags, values, arguments)));
  }

  private static String checked(String name, String value) {
    if (value.isBlank()) throw new IllegalArgumentException(name + ": empty argument");
    if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException(name + ": control characters are not allowed");
    }
    return value;
  }

  private static Map<String, Subcommand> table(Subcommand... subs) {
    Map<String, Subcommand> m = new LinkedHashMap<>();
    for (Subcommand s : subs) m.put(s.name(), s);
    return m;
  }
}
