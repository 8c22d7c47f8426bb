package org.securecmd.daemon.ctl;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The {@code attest ...} replies for people; every value through {@link TerminalText#escape}. */
final class AttestOutput {
  private AttestOutput() {}

  static void print(String subcommand, Map<?, ?> r, PrintStream out) {
    switch (subcommand) {
      case "attest show" -> {
        out.println(t(r.get("identity")) + ": last verified quote at " + t(r.get("at")) + ", values sha256 "
            + t(r.get("values_sha256")));
        pcrs(r.get("pcrs"), out);
        List<?> mismatches = r.get("mismatches") instanceof List<?> l ? l : List.of();
        out.println(mismatches.size() + " recent value set(s) that matched no state"
            + (mismatches.isEmpty() ? "" : ", newest first:"));
        for (Object o : mismatches) {
          Map<?, ?> m = (Map<?, ?>) o;
          out.println("at " + t(m.get("at")) + ", values sha256 " + t(m.get("values_sha256")));
          pcrs(m.get("pcrs"), out);
        }
      }
      case "attest learn" -> {
        if (r.get("lines") instanceof List<?> lines) lines.forEach(l -> out.println(t(l)));
      }
      default -> out.println("done");
    }
  }

  private static void pcrs(Object pcrs, PrintStream out) {
    if (!(pcrs instanceof Map<?, ?> m)) return;
    m.forEach((k, v) -> out.println("  pcr " + t(k) + " sha256 " + t(v)));
  }

  private static String t(Object value) {
    return TerminalText.escape(value);
  }
}
