package org.securecmd.daemon.ctl;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The {@code enroll ...} replies for people; every value through {@link TerminalText#escape}. */
final class EnrollOutput {
  private EnrollOutput() {}

  static void print(String subcommand, Map<?, ?> r, PrintStream out) {
    switch (subcommand) {
      case "enroll list" -> {
        List<?> list = (List<?>) r.get("registrations");
        out.printf("%-24s %-64s %-20s %s%n", "NAME", "EK-SHA256", "REGISTERED", "BY");
        for (Object o : list) {
          Map<?, ?> e = (Map<?, ?>) o;
          out.printf("%-24s %-64s %-20s %s%n", t(e.get("name")), t(e.get("ek_sha256")), t(e.get("registered_at")),
              t(e.get("by")));
        }
        out.println(list.size() + " registered TPM(s)");
      }
      case "enroll pending" -> {
        List<?> list = (List<?>) r.get("pending");
        out.printf("%-12s %-64s %-24s %s%n", "ID", "EK-SHA256", "ADDRESS", "REQUESTED");
        for (Object o : list) {
          Map<?, ?> e = (Map<?, ?>) o;
          out.printf("%-12s %-64s %-24s %s%n", t(e.get("id")), t(e.get("ek_sha256")), t(e.get("address")),
              t(e.get("requested_at")));
        }
        out.println(list.size() + " enrollment(s) waiting for approval (securecmdctl enroll approve ID NAME)");
      }
      case "enroll add" -> out.println((Boolean.TRUE.equals(r.get("changed")) ? "registered " : "already registered: ")
          + t(r.get("name")) + " = EK " + t(r.get("ek_sha256")));
      case "enroll remove" -> out.println("removed the registration of " + t(r.get("name")));
      case "enroll approve" -> out.println("approved " + t(r.get("id")) + " as " + t(r.get("name")) + " (EK "
          + t(r.get("ek_sha256")) + "); the device enrolls when it runs enroll again");
      case "enroll reject" -> out.println("rejected " + t(r.get("id")));
      default -> out.println(t(r));
    }
  }

  /** One line per CSV line, then the totals. */
  static void imported(List<Object> results, PrintStream out) {
    int registered = 0;
    int unchanged = 0;
    int refused = 0;
    for (Object o : results) {
      Map<?, ?> r = (Map<?, ?>) o;
      String head = "line " + t(r.get("line")) + ": " + t(r.get("name")) + ": ";
      if (!Boolean.TRUE.equals(r.get("ok"))) {
        refused++;
        out.println(head + "REFUSED: " + t(r.get("reason")));
      } else if (Boolean.TRUE.equals(r.get("changed"))) {
        registered++;
        out.println(head + "registered");
      } else {
        unchanged++;
        out.println(head + "already registered");
      }
    }
    out.println(registered + " registered, " + unchanged + " already registered, " + refused + " refused");
  }

  private static String t(Object value) {
    return TerminalText.escape(value);
  }
}
