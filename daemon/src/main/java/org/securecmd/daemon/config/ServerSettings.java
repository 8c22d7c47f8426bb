package org.securecmd.daemon.config;

import java.time.Duration;

/** {@code [server]}: where to listen when systemd hands over no socket, and the limits. */
public record ServerSettings(ListenAddress listen, Duration handshakeTimeout, Duration idleTimeout,
                             int maxConnections, int maxLineBytes, int maxRequestsPerConnection,
                             Duration shutdownTimeout) {
  public ServerSettings {
    if (maxConnections < 1) throw new IllegalArgumentException("maxConnections < 1: " + maxConnections);
    if (maxLineBytes < 16) throw new IllegalArgumentException("maxLineBytes < 16: " + maxLineBytes);
    if (maxRequestsPerConnection < 1) {
      throw new IllegalArgumentException("maxRequestsPerConnection < 1: " + maxRequestsPerConnection);
    }
  }
}
