package org.securecmd.daemon.config;

import java.util.Optional;

/**
 * {@code [metrics]}: where the Prometheus endpoint listens; empty (the default) serves none. Read at start
 * only, like {@code [server] listen}.
 */
public record MetricsSettings(Optional<ListenAddress> listen) {
  public static final MetricsSettings OFF = new MetricsSettings(Optional.empty());
}
