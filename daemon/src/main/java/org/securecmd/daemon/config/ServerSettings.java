package org.securecmd.daemon.config;

import java.time.Duration;
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
}
