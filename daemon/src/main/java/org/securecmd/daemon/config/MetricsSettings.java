package org.securecmd.daemon.config;

import java.util.List;
import java.util.Optional;

/**
 * {@code [metrics]}: where the Prometheus endpoint listens; empty (the default) serves none. Read at start
 * only, like {@code [server] listen}.
 */
public record MetricsSettings(Optional<ListenAddress> listen) {
  public static final MetricsSettings OFF = new MetricsSettings(Optional.empty());

  static MetricsSettings read(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("listen"));
    String text = r.string("listen", "");
    if (text.isEmpty()) return OFF;
    try {
      return new MetricsSettings(Optional.of(ListenAddress.parse(text)));
    } catch (IllegalArgumentException e) {
      throw r.error("listen", TableReader.quoted(text), e.getMessage() + " (or remove the key: no endpoint)");
    }
  }
}
