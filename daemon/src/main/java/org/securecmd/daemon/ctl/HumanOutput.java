package org.securecmd.daemon.ctl;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Renders a successful admin reply for people: aligned "key: value" lines and tables. */
final class HumanOutput {
  private HumanOutput() {}

  static void print(String subcommand, Map<?, ?> r, PrintStream out) {
    switch (subcommand) {
      case "status" -> status(r, out);
      case "connections" -> connections(r, out);
      case "disconnect" -> {
        Map<?, ?> c = (Map<?, ?>) r.get("disconnected");
        out.println("disconnected " + c.get("id") + " (" + c.get("identity") + " from " + c.get("remote") + ")");
      }
      case "reload" -> out.println("reloaded " + r.get("config") + ": generation " + r.get("generation")
          + " serves new connections");
      case "revoke" -> {
        String what = r.containsKey("serial") ? "serial " + r.get("serial") : "identity " + r.get("identity");
        out.println((Boolean.TRUE.equals(r.get("changed")) ? "revoked " : "already revoked: ") + what
            + "; closed " + r.get("disconnected") + " open connection(s)");
      }
      case "unrevoke" -> out.println("removed " + r.get("entry") + " from the deny list");
      case "revoked" -> {
        List<?> ids = (List<?>) r.get("identities");
        List<?> serials = (List<?>) r.get("serials");
        if (ids.isEmpty() && serials.isEmpty()) out.println("the deny list is empty");
        List<?> entries = (List<?>) r.get("entries");
        if (entries == null) {
          ids.forEach(i -> out.println("identity " + i));
          serials.forEach(s -> out.println("serial   " + s));
        }
        for (Object o : entries == null ? List.of() : entries) {
          Map<?, ?> e = (Map<?, ?>) o;
          String origin = String.join(", ", java.util.stream.Stream.of(e.get("by"), e.get("at"), e.get("reason"))
              .map(String::valueOf).filter(x -> !x.isEmpty()).toList());
          out.println(("identity".equals(e.get("kind")) ? "identity " : "serial   ") + e.get("value")
              + (origin.isEmpty() ? "" : "  (" + origin + ")"));
        }
      }
      case "metrics" -> out.print(r.get("text"));
      default -> out.println(r);
    }
  }

  private static void status(Map<?, ?> r, PrintStream out) {
    line(out, "version", r.get("version"));
    line(out, "uptime", duration(((Number) r.get("uptime_seconds")).longValue()) + " (since " + r.get("started") + ")");
    line(out, "config", r.get("config"));
    line(out, "generation", r.get("generation") + " (loaded " + r.get("generation_loaded") + ")");
    line(out, "listener", r.get("listener"));
    line(out, "connections", r.get("connections_open") + " open, " + r.get("connections_accepted") + " accepted");
    line(out, "requests", r.get("requests"));
    line(out, "deny list", r.get("revoked_entries") + " entries");
    if (r.get("state") instanceof Map<?, ?> st) {
      boolean degraded = Boolean.TRUE.equals(st.get("degraded"));
      String sync = String.valueOf(st.get("last_sync"));
      line(out, "state", st.get("backend") + (degraded ? ", DEGRADED: " + st.get("detail") : ", ok")
          + (sync.isEmpty() ? "" : " (last sync " + sync + ")")
          + (((Number) st.get("pending")).longValue() > 0 ? ", " + st.get("pending") + " pending revocation(s)" : ""));
    }
    Map<?, ?> cert = (Map<?, ?>) r.get("server_certificate");
    line(out, "certificate", cert.get("subject") + ", expires " + cert.get("not_after"));
    for (Object o : (List<?>) r.get("client_cas")) {
      Map<?, ?> ca = (Map<?, ?>) o;
      line(out, "client CA", ca.get("subject") + ", expires " + ca.get("not_after"));
    }
  }

  private static void connections(Map<?, ?> r, PrintStream out) {
    List<?> list = (List<?>) r.get("connections");
    out.printf("%-6s %-32s %-24s %-24s %s%n", "ID", "IDENTITY", "REMOTE", "SINCE", "REQUESTS");
    for (Object o : list) {
      Map<?, ?> c = (Map<?, ?>) o;
      out.printf("%-6s %-32s %-24s %-24s %s%n", c.get("id"), c.get("identity"), c.get("remote"), c.get("since"),
          c.get("requests"));
    }
    out.println(list.size() + " connection(s)");
  }

  private static void line(PrintStream out, String key, Object value) {
    out.printf("%-12s %s%n", key + ":", value);
  }

  static String duration(long seconds) {
    long d = seconds / 86400;
    long h = seconds % 86400 / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    return (d > 0 ? d + "d " : "") + (d > 0 || h > 0 ? h + "h " : "") + m + "m " + s + "s";
  }
}
