package org.securecmd.daemon.state;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the daemon needs to know about a {@code jdbc:postgresql:} URL without connecting: its hosts and
 * whether pgjdbc will verify the server's certificate and name ({@code sslmode=verify-full}). pgjdbc
 * itself parses the URL for connecting. The URL's query string is never printed or stored ({@link #shown}).
 */
record DatabaseUrl(List<String> hosts, String sslmode) {
  DatabaseUrl {
    hosts = List.copyOf(hosts);
  }

  /** {@code url} for messages and files: without its query string and user-info, which may carry secrets. */
  static String shown(String url) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    int at = base.indexOf('@');
    int authority = base.indexOf("//");
    int slash = authority < 0 ? -1 : base.indexOf('/', authority + 2);
    if (authority >= 0 && at > authority && (slash < 0 || at < slash)) {
      base = base.substring(0, authority + 2) + base.substring(at + 1);
    }
    return base;
  }

  static DatabaseUrl parse(String url) {
    String rest = url.substring("jdbc:postgresql:".length());
    int q = rest.indexOf('?');
    String query = q < 0 ? "" : rest.substring(q + 1);
    String base = q < 0 ? rest : rest.substring(0, q);
    List<String> hosts = new ArrayList<>();
    if (base.startsWith("//")) {
      String authority = base.substring(2);
      int slash = authority.indexOf('/');
      if (slash >= 0) authority = authority.substring(0, slash);
      for (String hostPort : authority.split(",")) {
        String h = hostPort;
        if (h.startsWith("[")) h = h.substring(1, Math.max(1, h.indexOf(']')));
        else if (h.contains(":")) h = h.substring(0, h.indexOf(':'));
        hosts.add(h.isEmpty() ? "localhost" : h);
      }
    } else {
      hosts.add("localhost"); // jdbc:postgresql:database
    }
    String sslmode = "";
    for (String param : query.split("&")) {
      if (param.toLowerCase(Locale.ROOT).startsWith("sslmode=")) sslmode = param.substring("sslmode=".length());
    }
    return new DatabaseUrl(hosts, sslmode);
  }

  boolean verifiesServer() {
    return sslmode.equals("verify-full");
  }

  /** Whether every host is this machine: traffic that never leaves it needs no TLS. */
  boolean loopbackOnly() {
    for (String h : hosts) {
      if (h.equals("localhost")) continue;
      if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) return false; // a name: only DNS knows, so not provably local
      try {
        if (!InetAddress.getByName(h).isLoopbackAddress()) return false;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return true;
  }

  /** A warning for the log, when the URL lets a network attacker pose as the database. */
  Optional<String> warning() {
    if (verifiesServer() || loopbackOnly()) return Optional.empty();
    return Optional.of("[state] url: the connection to " + String.join(",", hosts) + " does not verify the"
        + " database server (sslmode=" + (sslmode.isEmpty() ? "prefer, the default" : sslmode) + "); anyone on the"
        + " path can pose as it and change the deny list. Use sslmode=verify-full&sslrootcert=FILE");
  }
}
