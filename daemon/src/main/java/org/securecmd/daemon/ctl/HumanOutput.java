package org.securecmd.daemon.ctl;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Renders a successful admin reply for people: aligned "key: value" lines and tables. Every value from the
 * reply goes through {@link TerminalText#escape} (via {@link #t}), as it may come from a device's certificate.
 */
final class HumanOutput {
  private HumanOutput() {}

  static void print(String subcommand, Map<?, ?> r, PrintStream out) {
    switch (subcommand) {
      case "status" -> status(r, out);
      case "connections" -> connections(r, out);
      case "disconnect" -> {
        Map<?, ?> c = (Map<?, ?>) r.get("disconnected");
        out.println("disconnected " + t(c.get("id")) + " (" + t(c.get("identity")) + " from " + t(c.get("remote")) + ")");
      }
      case "reload" -> out.println("reloaded " + t(r.get("config")) + ": generation " + t(r.get("generation"))
          + " serves every request; open connections re-checked");
      case "revoke" -> {
        String what = r.containsKey("serial") ? "serial " + t(r.get("serial")) : "identity " + t(r.get("identity"));
        out.println((Boolean.TRUE.equals(r.get("changed")) ? "revoked " : "already revoked: ") + what
            + "; closed " + t(r.get("disconnected")) + " open connection(s)");
      }
      case "unrevoke" -> out.println("removed " + unrevoked(r) + " from the deny list");
      case "revoked" -> {
        List<?> ids = (List<?>) r.get("identities");
        List<?> serials = (List<?>) r.get("serials");
        if (ids.isEmpty() && serials.isEmpty()) out.println("the deny list is empty");
        List<?> entries = (List<?>) r.get("entries");
        if (entries == null) {
          ids.forEach(i -> out.println("identity " + t(i)));
          serials.forEach(s -> out.println("serial   " + t(s)));
        }
        for (Object o : entries == null ? List.of() : entries) {
          Map<?, ?> e = (Map<?, ?>) o;
          String origin = String.join(", ", java.util.stream.Stream.of(e.get("by"), e.get("at"), e.get("reason"))
              .map(String::valueOf).filter(x -> !x.isEmpty()).toList());
          out.println(("identity".equals(e.get("kind")) ? "identity " : "serial   ") + t(e.get("value"))
              + (origin.isEmpty() ? "" : "  (" + t(origin) + ")"));
        }
      }
      case "metrics" -> out.print(TerminalText.escapeLines(String.valueOf(r.get("text"))));
      case "issued" -> issued(r, out);
      case "issued-index" -> {
        // securecmd-pki's index.txt: issued SERIAL NOT-AFTER KIND NAME SUBJECT, tab-separated
        for (Object o : (List<?>) r.get("issued")) {
          Map<?, ?> i = (Map<?, ?>) o;
          out.println(String.join("\t", "issued", t(i.get("serial")), t(i.get("not_after")), "device",
              t(i.get("identity")), t(i.get("subject"))));
        }
      }
      case String s when s.startsWith("enroll ") -> EnrollOutput.print(s, r, out);
      case String s when s.startsWith("attest ") -> AttestOutput.print(s, r, out);
      default -> out.println(t(r));
    }
  }

  private static void status(Map<?, ?> r, PrintStream out) {
    line(out, "version", r.get("version"));
    line(out, "uptime", duration(((Number) r.get("uptime_seconds")).longValue()) + " (since " + r.get("started") + ")");
    line(out, "config", r.get("config"));
    line(out, "generation", r.get("generation") + " (loaded " + r.get("generation_loaded") + ")");
    line(out, "last reload", lastReload(r.get("last_reload")));
    line(out, "listener", r.get("listener"));
    line(out, "connections", r.get("connections_open") + " open (" + r.get("connections_parked") + " idle without a thread), "
        + r.get("connections_accepted") + " accepted");
    line(out, "requests", r.get("requests"));
    line(out, "deny list", r.get("revoked_entries") + " entries");
    if (r.get("state") instanceof Map<?, ?> st) {
      boolean degraded = Boolean.TRUE.equals(st.get("degraded"));
      String sync = String.valueOf(st.get("last_sync"));
      line(out, "state", st.get("backend") + (degraded ? ", DEGRADED: " + t(st.get("detail")) : ", ok")
          + (sync.isEmpty() ? "" : " (last sync " + sync + ")")
          + (((Number) st.get("pending")).longValue() > 0 ? ", " + st.get("pending") + " pending revocation(s)" : ""));
    }
    Map<?, ?> cert = (Map<?, ?>) r.get("server_certificate");
    line(out, "certificate", cert.get("subject") + ", expires " + cert.get("not_after"));
    for (Object o : (List<?>) r.get("client_cas")) {
      Map<?, ?> ca = (Map<?, ?>) o;
      line(out, "client CA", ca.get("subject") + ", expires " + ca.get("not_after"));
    }
    if (r.get("renewals") instanceof Map<?, ?> rn) {
      line(out, "renewals", rn.get("issued") + " issued, refused " + rn.get("refused") + ", "
          + rn.get("devices_due") + " connected device(s) due");
    }
    crl(r.get("crl") instanceof Map<?, ?> m ? m : Map.of(), out);
    if (r.get("enrollment") instanceof Map<?, ?> en) {
      line(out, "enrollment", en.containsKey("error") ? "cannot read the registry: " + en.get("error")
          : en.get("registered") + " TPM(s) registered, " + en.get("pending") + " waiting for approval"
          + (en.containsKey("enrolled") ? ", " + en.get("enrolled") + " enrolled since start" : "")
          + (en.get("refused") instanceof Map<?, ?> refused && !refused.isEmpty() ? ", refused " + refused : ""));
    }
  }

  /** The CRL in force, its next update, and a failed load of a changed file (which leaves the old one). */
  private static void crl(Map<?, ?> c, PrintStream out) {
    if (!Boolean.TRUE.equals(c.get("configured"))) return;
    for (Object o : c.get("crls") instanceof List<?> l ? l : List.of()) {
      Map<?, ?> one = (Map<?, ?>) o;
      line(out, "CRL", one.get("issuer") + (one.get("next_update") == null ? ", no next update"
          : ", next update " + one.get("next_update")) + " (loaded " + c.get("loaded") + ")");
    }
    if (Boolean.FALSE.equals(c.get("last_load_ok"))) {
      line(out, "CRL", "the changed file was NOT loaded (the CRL above stays in force): " + c.get("last_error"));
    }
  }

  private static void issued(Map<?, ?> r, PrintStream out) {
    List<?> list = (List<?>) r.get("issued");
    out.printf("%-32s %-24s %-20s %-32s %-20s %-4s %-4s %s%n", "SERIAL", "IDENTITY", "NOT-AFTER", "OLD-SERIAL", "ISSUED",
        "KEY", "USED", "CHAIN");
    for (Object o : list) {
      Map<?, ?> i = (Map<?, ?>) o;
      // the chain of successors, from the device's original certificate to this one
      List<String> chain = new java.util.ArrayList<>();
      if (i.get("chain") instanceof List<?> serials) for (Object serial : serials) chain.add(t(serial));
      out.printf("%-32s %-24s %-20s %-32s %-20s %-4s %-4s %s%n", t(i.get("serial")), t(i.get("identity")),
          t(i.get("not_after")), t(i.get("old_serial")), t(i.get("issued_at")),
          Boolean.TRUE.equals(i.get("rekey")) ? "new" : "same", i.get("first_used_at") == null ? "no" : "yes",
          String.join(" -> ", chain));
    }
    out.println(list.size() + " certificate(s) issued");
  }

  private static String lastReload(Object o) {
    if (!(o instanceof Map<?, ?> m)) return "none since start";
    return Boolean.TRUE.equals(m.get("success")) ? "OK at " + m.get("time")
        : "FAILED at " + m.get("time") + ": " + m.get("error") + " (the previous configuration keeps serving)";
  }

  private static void connections(Map<?, ?> r, PrintStream out) {
    List<?> list = (List<?>) r.get("connections");
    out.printf("%-6s %-32s %-24s %-24s %s%n", "ID", "IDENTITY", "REMOTE", "SINCE", "REQUESTS");
    for (Object o : list) {
      Map<?, ?> c = (Map<?, ?>) o;
      out.printf("%-6s %-32s %-24s %-24s %s%n", t(c.get("id")), t(c.get("identity")), t(c.get("remote")),
          t(c.get("since")), t(c.get("requests")));
    }
    out.println(list.size() + " connection(s)");
  }

  /** Which entries an unrevoke removed: "identity X", "serial Y", or both. */
  private static String unrevoked(Map<?, ?> r) {
    List<String> removed = new java.util.ArrayList<>();
    if (r.containsKey("identity")) removed.add("identity " + t(r.get("identity")));
    if (r.containsKey("serial")) removed.add("serial " + t(r.get("serial")));
    return removed.isEmpty() ? t(r.get("entry")) : String.join(" and ", removed);
  }

  /** Every value printed goes through here (line() applies it to the whole value it is given). */
  private static String t(Object value) {
    return TerminalText.escape(value);
  }

  private static void line(PrintStream out, String key, Object value) {
    out.printf("%-12s %s%n", key + ":", t(value));
  }

  static String duration(long seconds) {
    long d = seconds / 86400;
    long h = seconds % 86400 / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    return (d > 0 ? d + "d " : "") + (d > 0 || h > 0 ? h + "h " : "") + m + "m " + s + "s";
  }
}
