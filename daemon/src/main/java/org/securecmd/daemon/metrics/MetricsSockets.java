package org.securecmd.daemon.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.securecmd.daemon.config.MetricsSettings;

/**
 * Where the Prometheus endpoint listens: a socket the service manager passed when there is one, else
 * {@code [metrics] listen}, else nowhere (the default). Read at start only.
 */
public final class MetricsSockets {
  private MetricsSockets() {}

  /** Puts a passed socket in place of the endpoint's own throwaway socket at {@code bound}. */
  @FunctionalInterface
  public interface Replacement {
    void replace(InetSocketAddress bound) throws IOException;
  }

  /** A socket the service manager passed: how status names it, and how it takes the endpoint's place. */
  public record Passed(String description, Replacement replacement) {}

  /**
   * The endpoint, not yet started; empty when metrics are off.
   *
   * @param requests the executor of the endpoint's requests, asked for only when there is an endpoint
   */
  public static Optional<MetricsEndpoint> open(MetricsSettings settings, Optional<Passed> passed, Supplier<String> text,
                                               Supplier<ExecutorService> requests) throws IOException {
    if (passed.isPresent()) {
      MetricsEndpoint m = MetricsEndpoint.forPassedSocket(passed.get().description(), text, requests.get());
      try {
        passed.get().replacement().replace(m.address());
      } catch (IOException | RuntimeException e) {
        m.close();
        throw e;
      }
      return Optional.of(m);
    }
    if (settings.listen().isEmpty()) return Optional.empty();
    return Optional.of(MetricsEndpoint.bind(settings.listen().get().toSocketAddress(), text, requests.get()));
  }
}
