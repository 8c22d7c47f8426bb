package org.securecmd.daemon.server;

import java.time.Duration;
import org.securecmd.daemon.config.ServerSettings;

/**
 * The bounds one connection is served under, taken from the generation current when it was accepted (like
 * its TLS session, they stay for the connection's life).
 */
record Limits(Duration handshakeTimeout, Duration idleTimeout, int maxLineBytes, int maxRequestsPerConnection) {
  Limits {
    if (maxLineBytes < 16) throw new IllegalArgumentException("maxLineBytes < 16: " + maxLineBytes);
    if (maxRequestsPerConnection < 1) {
      throw new IllegalArgumentException("maxRequestsPerConnection < 1: " + maxRequestsPerConnection);
    }
  }

  static Limits of(ServerSettings s) {
    return new Limits(s.handshakeTimeout(), s.idleTimeout(), s.maxLineBytes(), s.maxRequestsPerConnection());
  }

  int idleTimeoutMillis() {
    return millis(idleTimeout);
  }

  int handshakeTimeoutMillis() {
    return millis(handshakeTimeout);
  }

  static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }
}
