package org.securecmd.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Supplier;
import org.securecmd.daemon.config.MetricsSettings;
import org.securecmd.daemon.metrics.MetricsEndpoint;

/**
 * Where the Prometheus endpoint listens: systemd's socket named {@value SystemdSockets#METRICS} when it
 * passed one, else {@code [metrics] listen}, else nowhere (the default). Read at start only.
 */
final class MetricsSockets {
  private MetricsSockets() {}

  /** A socket systemd passed, put in place of the endpoint's own throwaway socket at {@code bound}. */
  @FunctionalInterface
  interface Passed {
    void replace(InetSocketAddress bound) throws IOException;
  }

  /** The endpoint, not yet started; empty when metrics are off. */
  static Optional<MetricsEndpoint> open(MetricsSettings settings, Optional<Passed> systemd, Supplier<String> text,
                                        DaemonThreads threads) throws IOException {
    if (systemd.isPresent()) {
      Passed passed = systemd.get();
      MetricsEndpoint m = MetricsEndpoint.forPassedSocket("systemd socket \"" + SystemdSockets.METRICS + "\"", text,
          threads.metricsRequests());
      try {
        passed.replace(m.address());
      } catch (IOException | RuntimeException e) {
        m.close();
        throw e;
      }
      return Optional.of(m);
    }
    if (settings.listen().isEmpty()) return Optional.empty();
    return Optional.of(MetricsEndpoint.bind(settings.listen().get().toSocketAddress(), text, threads.metricsRequests()));
  }
}
