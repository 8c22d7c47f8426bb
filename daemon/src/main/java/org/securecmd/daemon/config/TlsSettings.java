package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code [tls]}: the server's own chain and key, the protocol versions offered, and how long a TLS session
 * (a TLS 1.3 ticket) may be resumed.
 */
public record TlsSettings(Path certificate, Path privateKey, List<String> protocols, Duration sessionTimeout) {
  public TlsSettings {
    protocols = List.copyOf(protocols);
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new IllegalArgumentException("sessionTimeout must be positive: " + sessionTimeout);
    }
  }
}
