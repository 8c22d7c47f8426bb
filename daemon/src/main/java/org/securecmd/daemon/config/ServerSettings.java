package org.securecmd.daemon.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code [server]}: where to listen when systemd hands over no socket, and the limits.
 *
 * @param requestTimeout one request line, from its first byte to its newline
 * @param writeTimeout writing one reply to the peer
 * @param maxConnectionAge a connection older than this is closed after its current request
 * @param maxConnectionsPerIdentity open connections one certified identity may hold
 * @param maxHandshakesPerAddress handshakes in progress from one source address
 * @param proxyProtocol the balancers whose connections start with a PROXY v2 header (required from them,
 *     refused from everyone else); empty: no balancer, nobody may send one
 */
public record ServerSettings(ListenAddress listen, Duration handshakeTimeout, Duration idleTimeout,
                             int maxConnections, int maxLineBytes, int maxRequestsPerConnection,
                             Duration shutdownTimeout, Duration requestTimeout, Duration writeTimeout,
                             Duration maxConnectionAge, int maxConnectionsPerIdentity,
                             int maxHandshakesPerAddress, List<Cidr> proxyProtocol) {
  public ServerSettings {
    proxyProtocol = List.copyOf(proxyProtocol);
    if (maxConnections < 1) throw new IllegalArgumentException("maxConnections < 1: " + maxConnections);
    if (maxLineBytes < 16) throw new IllegalArgumentException("maxLineBytes < 16: " + maxLineBytes);
    if (maxRequestsPerConnection < 1) {
      throw new IllegalArgumentException("maxRequestsPerConnection < 1: " + maxRequestsPerConnection);
    }
    if (maxConnectionsPerIdentity < 1) {
      throw new IllegalArgumentException("maxConnectionsPerIdentity < 1: " + maxConnectionsPerIdentity);
    }
    if (maxHandshakesPerAddress < 1) {
      throw new IllegalArgumentException("maxHandshakesPerAddress < 1: " + maxHandshakesPerAddress);
    }
  }

  /** Reads {@code [server]}: each key with its default and its range (docs/configuration.md lists the same). */
  static ServerSettings read(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("listen", "handshake_timeout", "idle_timeout", "max_connections", "max_line_bytes",
        "max_requests_per_connection", "shutdown_timeout", "request_timeout", "write_timeout",
        "max_connection_age", "max_connections_per_identity", "max_handshakes_per_address", "proxy_protocol"));
    return new ServerSettings(listen(r),
        r.duration("handshake_timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5)),
        r.duration("idle_timeout", Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofDays(1)),
        (int) r.integer("max_connections", 10_000, 1, 1_000_000),
        (int) r.size("max_line_bytes", 1024, 16, 1 << 20),
        (int) r.integer("max_requests_per_connection", 1000, 1, 1_000_000_000),
        r.duration("shutdown_timeout", Duration.ofSeconds(10), Duration.ZERO, Duration.ofMinutes(10)),
        r.duration("request_timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
        r.duration("write_timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
        r.duration("max_connection_age", Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(365)),
        (int) r.integer("max_connections_per_identity", 16, 1, 1_000_000),
        (int) r.integer("max_handshakes_per_address", 64, 1, 1_000_000),
        proxyProtocol(r));
  }

  private static ListenAddress listen(TableReader r) throws ConfigException {
    String text = r.string("listen", "0.0.0.0:5000");
    try {
      return ListenAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw r.error("listen", TableReader.quoted(text), e.getMessage());
    }
  }

  /** {@code proxy_protocol}: the balancers' address blocks (PROXY v2 senders); empty by default. */
  private static List<Cidr> proxyProtocol(TableReader r) throws ConfigException {
    List<Cidr> out = new ArrayList<>();
    for (String text : r.strings("proxy_protocol", List.of())) {
      try {
        out.add(Cidr.parse(text));
      } catch (IllegalArgumentException e) {
        throw r.error("proxy_protocol", TableReader.quoted(text), e.getMessage());
      }
    }
    return out;
  }
}
