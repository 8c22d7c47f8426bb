package org.securecmd.daemon.config;

import java.net.InetSocketAddress;

/** A host and port as written in {@code listen}: {@code "0.0.0.0:5000"}, {@code "[::1]:5000"}. */
public record ListenAddress(String host, int port) {
  public ListenAddress {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
  }

  /** @throws IllegalArgumentException saying what the form is */
  public static ListenAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected HOST:PORT, e.g. \"0.0.0.0:5000\" or \"[::1]:5000\"");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    else if (host.contains(":")) throw new IllegalArgumentException("an IPv6 address needs brackets: \"[::1]:5000\"");
    if (host.isEmpty()) {
      // "[]:5000" would bind whatever "" resolves to (loopback); say what the forms are instead
      throw new IllegalArgumentException("expected HOST:PORT, e.g. \"0.0.0.0:5000\" or \"[::1]:5000\"");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port is not a number");
    }
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535");
    return new ListenAddress(host, port);
  }

  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return HostPort.of(host, port);
  }
}
