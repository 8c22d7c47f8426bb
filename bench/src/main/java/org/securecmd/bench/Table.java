package org.securecmd.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The printed result: one row per scenario and target, the ratio to the reference target on other rows. */
final class Table {
  private final List<Scenarios.Row> rows = new ArrayList<>();

  void add(Scenarios.Row r) {
    rows.add(r);
    // progress on stderr, so a long run shows it is alive
    System.err.printf(Locale.ROOT, "bench: %-22s %-10s ok=%d err=%d %.1fs %s%n", r.scenario(), r.target(), r.ok(),
        r.rec().errors.sum(), r.seconds(), r.rec().firstError == null ? "" : "first error: " + r.rec().firstError);
  }

  void print(PrintStream out, String reference) {
    out.println();
    out.printf(Locale.ROOT, "| %-22s | %-9s | %6s | %4s | %8s | %8s | %7s | %7s | %7s | %7s | %8s | %6s | %s |%n",
        "scenario", "target", "ok", "err", "conn/s", "req/s", "p50 ms", "p99 ms", "max ms", "RSS MiB",
        "CPU ms/hs", "ratio", "notes");
    out.println("|" + "---|".repeat(13));
    for (Scenarios.Row r : rows) {
      out.printf(Locale.ROOT, "| %-22s | %-9s | %6d | %4d | %8s | %8s | %7s | %7s | %7s | %7s | %8s | %6s | %s |%n",
          r.scenario(), r.target(), r.ok(), r.rec().errors.sum(), Scenarios.fmt(r.connsPerSec()),
          Scenarios.fmt(r.reqsPerSec()), Scenarios.fmt(r.rec().percentileMillis(50)),
          Scenarios.fmt(r.rec().percentileMillis(99)), Scenarios.fmt(r.rec().percentileMillis(100)),
          Scenarios.fmt(r.rssKib() / 1024.0), Scenarios.fmt(r.cpuMsPerHandshake()), ratio(r, reference), r.extra());
    }
    out.println();
    out.println("ratio: this row's conn/s (req/s for kept connections) divided by " + reference
        + "'s in the same scenario; > 1 is faster.");
  }

  private String ratio(Scenarios.Row r, String reference) {
    if (reference == null || r.target().equals(reference)) return "";
    for (Scenarios.Row x : rows) {
      if (x.scenario().equals(r.scenario()) && x.target().equals(reference)) {
        boolean kept = r.scenario().startsWith("kept");
        double a = kept ? r.reqsPerSec() : r.connsPerSec();
        double b = kept ? x.reqsPerSec() : x.connsPerSec();
        return b > 0 ? String.format(Locale.ROOT, "%.2fx", a / b) : "";
      }
    }
    return "";
  }
}
