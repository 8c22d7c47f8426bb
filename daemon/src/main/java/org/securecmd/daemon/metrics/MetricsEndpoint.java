package org.securecmd.daemon.metrics;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.securecmd.daemon.config.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus endpoint on the JDK's HTTP server ({@code jdk.httpserver}): one selector thread accepts
 * and waits for request bytes, each request then runs on a virtual thread, so a slow client holds a
 * virtual thread at most (until {@link HttpLimits}' deadline), never a platform thread. Bounded by
 * {@link HttpLimits}; plain HTTP, no authentication: bind it to loopback or a management network, and keep
 * device identities out of the text (the metrics have none). {@link #start} warns when {@code [metrics] listen}
 * is not a loopback address ({@link #exposureWarning}).
 *
 * <pre>{@code
 * MetricsEndpoint m = MetricsEndpoint.bind(new InetSocketAddress("127.0.0.1", 5001), () -> text,
 *     Executors.newVirtualThreadPerTaskExecutor());
 * m.start();  ...  m.close();
 * }</pre>
 */
public final class MetricsEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
  private static final int BACKLOG = 64;

  private final HttpServer http;
  private final ExecutorService requests;
  private final String description;
  private final Optional<String> exposure;

  private MetricsEndpoint(HttpServer http, String description, ExecutorService requests, Optional<String> exposure) {
    this.http = http;
    this.requests = requests;
    this.description = description;
    this.exposure = exposure;
  }

  /**
   * Binds {@code address} and prepares to serve {@code text}; nothing is answered before {@link #start}.
   * Each request runs on {@code requests} (one virtual thread each, as the class comment assumes), which
   * {@link #close} shuts down.
   *
   * @throws IOException naming the address when it cannot be bound
   */
  public static MetricsEndpoint bind(InetSocketAddress address, Supplier<String> text, ExecutorService requests)
      throws IOException {
    return bind(address, null, text, requests);
  }

  /**
   * Binds a throwaway loopback port, for a socket passed in by systemd to be put under it (at
   * {@link #address()}) before {@link #start}; {@code description} names that socket in logs.
   */
  public static MetricsEndpoint forPassedSocket(String description, Supplier<String> text,
                                                ExecutorService requests) throws IOException {
    return bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), description, text, requests);
  }

  private static MetricsEndpoint bind(InetSocketAddress address, String description, Supplier<String> text,
                                      ExecutorService requests) throws IOException {
    HttpLimits.apply();
    HttpServer http;
    try {
      http = HttpServer.create(address, BACKLOG);
    } catch (IOException e) {
      throw new IOException("cannot listen for metrics on " + HostPort.of(address) + ": " + e.getMessage(), e);
    }
    http.createContext("/", new MetricsHandler(text));
    // a socket systemd passes is the unit's to place (its ListenStream=); the throwaway one is loopback anyway
    MetricsEndpoint m = new MetricsEndpoint(http,
        description != null ? description : "http://" + HostPort.of(http.getAddress()) + MetricsHandler.PATH, requests,
        description != null ? Optional.empty() : exposureWarning(http.getAddress()));
    http.setExecutor(requests);
    return m;
  }

  /** Where the listening socket is bound (the throwaway address, until systemd's socket is put in place). */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** For logs, e.g. {@code http://127.0.0.1:5001/metrics} or {@code systemd socket "metrics"}. */
  public String description() {
    return description;
  }

  public void start() {
    http.start();
    log.info("metrics endpoint {} ready", description);
    exposure.ifPresent(log::warn);
  }

  /**
   * The start-up warning for an endpoint bound to {@code bound}, when that is not a loopback address: the
   * endpoint has no authentication and no TLS, so whoever reaches the port reads the counters (refusal
   * reasons, renewal and CRL state, connection counts).
   */
  static Optional<String> exposureWarning(InetSocketAddress bound) {
    InetAddress a = bound.getAddress();
    if (a != null && a.isLoopbackAddress()) return Optional.empty();
    return Optional.of("[metrics] listen = \"" + HostPort.of(bound) + "\" is not a loopback address, and the metrics"
        + " endpoint has no authentication and no TLS: let only the Prometheus server reach it (host firewall), or"
        + " listen on 127.0.0.1 behind a TLS-terminating proxy that authenticates the scraper (docs/metrics.md)");
  }

  /** Stops at once: a scrape in progress is cut, which Prometheus records as a failed scrape. */
  @Override
  public void close() {
    http.stop(0);
    requests.shutdownNow();
  }

}
