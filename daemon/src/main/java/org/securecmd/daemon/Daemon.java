package org.securecmd.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.securecmd.daemon.audit.Metrics;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.server.BoundListener;
import org.securecmd.daemon.server.Generation;
import org.securecmd.daemon.server.ListenerSource;
import org.securecmd.daemon.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The composition root: loads the first generation, opens the listener, installs signal handlers, and
 * owns the lifecycle (serve, reload, graceful stop). Nothing imports this package.
 */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final Path configFile;
  private final Generations generations;
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private final AtomicReference<DenyList> denyList = new AtomicReference<>(DenyList.EMPTY);
  private final AtomicLong generationNumbers = new AtomicLong();
  private final Metrics metrics = new Metrics();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private Server server;

  Daemon(Path configFile, Clock clock) {
    this.configFile = configFile;
    this.generations = new Generations(clock, denyList::get);
  }

  static Daemon fromEnvironment(Path configFile) {
    return new Daemon(configFile, Clock.systemUTC());
  }

  static String version() {
    String v = Daemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Loads the config and every file it names, as startup would; throws the first problem. */
  static void checkConfig(Path configFile) throws ConfigException {
    new Generations(Clock.systemUTC(), () -> DenyList.EMPTY).build(configFile, 0);
  }

  /** Loads, listens, serves; returns once a stop was requested and connections drained. */
  void runUntilStopped() throws ConfigException, IOException, InterruptedException {
    start(config -> new BoundListener(config.server().listen()));
    installSignals();
    stopRequested.await();
    stop();
  }

  /** Loads the first generation and starts serving on the listener {@code sources} picks for its config. */
  void start(Function<Config, ListenerSource> sources) throws ConfigException, IOException {
    Generation first = load();
    install(first);
    server = new Server(sources.apply(first.config()), current::get, first.config().server().maxConnections(), metrics);
    server.start();
    log.info("securecmdd {} serving on {} (config {}, generation {})", version(), server.description(), configFile,
        first.number());
  }

  /** Builds a new generation from the config file as it is now, without installing it. */
  Generation load() throws ConfigException {
    return generations.build(configFile, generationNumbers.incrementAndGet());
  }

  /** Makes {@code g} the generation new connections get; open connections keep theirs. */
  void install(Generation g) {
    current.set(g);
    metrics.knownVerbs(g.commands()::knows);
  }

  /** Asks the daemon to stop; {@link #runUntilStopped} then drains and returns. */
  void requestStop() {
    stopRequested.countDown();
  }

  /** Stops accepting, lets in-flight requests finish within {@code shutdown_timeout}, closes the rest. */
  void stop() throws InterruptedException {
    if (server == null) return;
    log.info("stopping: no new connections; draining {} open", server.openConnections());
    server.stopAccepting();
    boolean clean = server.drain(current.get().config().server().shutdownTimeout());
    server.close();
    log.info("stopped{}", clean ? "" : " (connections still busy after shutdown_timeout were closed)");
  }

  int port() throws IOException {
    return server.port();
  }

  Generation generation() {
    return current.get();
  }

  Metrics metrics() {
    return metrics;
  }

  Server server() {
    return server;
  }

  private void installSignals() {
    // sun.misc.Signal (jdk.unsupported) is the JDK's only way to catch SIGTERM without a shutdown hook,
    // which could not exit 0 after a graceful stop.
    Signal.handle(new Signal("TERM"), s -> requestStop());
    Signal.handle(new Signal("INT"), s -> requestStop());
  }
}
