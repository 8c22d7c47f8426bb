package org.securecmd.daemon.server;

import java.time.Duration;
import org.securecmd.daemon.config.ServerSettings;

/**
 * The bounds one connection is served under, taken from the generation current when it was accepted (like
 * its TLS session, they stay for the connection's life; its policy and replies do not, see
 * {@link ServedConnection}).
 *
 * @param requestTimeout how long one request line may take from its first byte to its newline
 * @param writeTimeout how long writing one reply may take before the peer counts as not reading
 * @param maxConnectionAge after this the connection is closed once its current request is answered
 * @param maxConnectionsPerIdentity open connections one certified identity may hold; one more gets {@code ERR BUSY}
 */
record Limits(Duration handshakeTimeout, Duration idleTimeout, Duration requestTimeout, Duration writeTimeout,
              Duration maxConnectionAge, int maxLineBytes, int maxRequestsPerConnection,
              int maxConnectionsPerIdentity) {
  Limits {
    if (maxLineBytes < 16) throw new IllegalArgumentException("maxLineBytes < 16: " + maxLineBytes);
    if (maxRequestsPerConnection < 1) {
      throw new IllegalArgumentException("maxRequestsPerConnection < 1: " + maxRequestsPerConnection);
    }
    if (maxConnectionsPerIdentity < 1) {
      throw new IllegalArgumentException("maxConnectionsPerIdentity < 1: " + maxConnectionsPerIdentity);
    }
  }

  static Limits of(ServerSettings s) {
    return new Limits(s.handshakeTimeout(), s.idleTimeout(), s.requestTimeout(), s.writeTimeout(),
        s.maxConnectionAge(), s.maxLineBytes(), s.maxRequestsPerConnection(), s.maxConnectionsPerIdentity());
  }

}
