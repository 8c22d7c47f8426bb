package org.securecmd.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.securecmd.daemon.admin.AdminRequests;
import org.securecmd.daemon.admin.EnrollmentRequests;
import org.securecmd.daemon.admin.AdminServer;
import org.securecmd.daemon.admin.LastReload;
import org.securecmd.daemon.admin.Reloader;
import org.securecmd.daemon.admin.Revocations;
import org.securecmd.daemon.audit.Metrics;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.EnrollmentSettings;
import org.securecmd.daemon.enroll.RenewalEvents;
import org.securecmd.daemon.enroll.RenewalRefusal;
import org.securecmd.daemon.enroll.RenewalState;
import org.securecmd.daemon.enroll.Rollover;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.IssuanceLog;
import org.securecmd.daemon.server.ConnectionListener;
import org.securecmd.daemon.metrics.MetricsEndpoint;
import org.securecmd.daemon.server.BoundListener;
import org.securecmd.daemon.server.Generation;
import org.securecmd.daemon.server.ListenerSource;
import org.securecmd.daemon.server.Server;
import org.securecmd.daemon.state.StateHealth;
import org.securecmd.daemon.state.StateListener;
import org.securecmd.daemon.state.StateStore;
import org.securecmd.daemon.state.StateStores;
import org.securecmd.daemon.systemd.SocketActivation;
import org.securecmd.daemon.systemd.SystemdStatus;
import org.securecmd.daemon.systemd.Watchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The composition root: loads the first generation and the deny list, opens the listener (systemd's socket
 * named "main", else a bind of {@code [server] listen}) and the admin socket, tells systemd it is ready,
 * installs signal handlers (TERM/INT stop, HUP reloads), and owns the lifecycle. Nothing imports this package.
 *
 * <p>systemd may pass two sockets, by name: "main" (TCP) and "admin" (UNIX). The JDK turns only one
 * inherited descriptor per process into a channel ({@code System.inheritedChannel()}); that one is the TCP
 * listener, and the admin socket is adopted by putting it under a JDK channel with dup2(2) (see
 * {@link SystemdSockets}). Without an "admin" socket the daemon binds {@code [admin] socket} itself.
 * {@code [server] listen}, {@code max_connections}, {@code [admin]}, {@code [state]} and
 * {@code [metrics]} are read at start only; a reload changes everything else.
 */
final class Daemon implements Reloader {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private static final long STATUS_SECONDS = 10;

  private final Path configFile;
  private final Clock clock;
  private final Generations generations;
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private volatile StateStore state;
  private final Metrics metrics = new Metrics();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final Object reloading = new Object();
  private final SystemdEnvironment environment;
  private final SystemdStatus systemd;
  private final DaemonThreads threads = new DaemonThreads();
  private final ScheduledExecutorService scheduler = threads.systemd();
  private final ScheduledExecutorService crlTimer = threads.crlWatch();
  private final java.util.concurrent.ExecutorService rolloverLookups = threads.rolloverLookups();
  private final CrlWatcher crlWatcher;
  private Duration crlPollInterval = Duration.ofSeconds(5);
  private Watchdog watchdog;
  private volatile Server server;
  private volatile AdminServer admin;
  private volatile Revocations revocations;
  private volatile RenewalState renewal; // set once under this; created with the first generation (needs [state] directory)
  private volatile Optional<MetricsEndpoint> metricsEndpoint = Optional.empty();
  private volatile LastReload lastReload;

  /** A daemon that is not under systemd, whatever the process's environment says (tests, by hand). */
  Daemon(Path configFile, Clock clock) {
    this(configFile, clock, SystemdEnvironment.NONE);
  }

  /** @param environment what systemd passed; the daemon reads no environment variable itself */
  Daemon(Path configFile, Clock clock, SystemdEnvironment environment) {
    this.configFile = configFile;
    this.clock = clock;
    this.environment = environment;
    this.systemd = new SystemdStatus(environment.notifier());
    this.generations = new Generations(clock, this::denyList, this::renewalState);
    this.crlWatcher = new CrlWatcher(current::get, this::crlsLoaded, metrics.crl(), clock);
  }

  /** How often the {@code [clients] crl} file is checked for changes (tests shorten it); before start. */
  void crlPollInterval(Duration every) {
    this.crlPollInterval = every;
  }

  /** The issuance log and rollover of {@code config}'s state directory; the first call fixes it. */
  private synchronized RenewalState renewalState(Config config) throws ConfigException {
    if (renewal != null) return renewal;
    Path dir = config.state().directory();
    try {
      Files.createDirectories(dir);
      IssuanceLog issued = StateStores.issuanceLog(config);
      Rollover rollover = new Rollover(issued, s -> denyList().serials().contains(DenyList.normalizeSerial(s)),
          this::revokeReplacedSerial, rolloverLookups);
      renewal = new RenewalState(issued, rollover, new RenewalEvents() {
        @Override
        public void issued(Issuance issuance) {
          metrics.renewals().issued();
        }

        @Override
        public void refused(RenewalRefusal reason) {
          metrics.renewals().refused(reason.label());
        }
      });
      metrics.renewals().dueFrom(() -> {
        Optional<EnrollmentSettings> e = current.get() == null ? Optional.empty() : current.get().config().enrollment();
        return e.isEmpty() ? 0 : rollover.dueWithin(e.get().renewBefore(), clock.instant());
      });
      return renewal;
    } catch (IOException e) {
      throw new ConfigException(config.file(), 0, "[state] directory", "cannot read the issuance records in " + dir
          + ": " + e.getMessage());
    }
  }

  /**
   * A rekeyed device connected with its new certificate: its old serial goes on the deny list, and
   * {@link Revocations} re-checks the open connections (the policy-change hook), closing the old serial's.
   */
  private void revokeReplacedSerial(String serial) {
    Revocations r = revocations;
    if (r != null) r.revoke(DenyListEntry.Kind.SERIAL, serial, "", "replaced by a renewed certificate");
  }

  private ConnectionListener renewalListener() {
    return new ConnectionListener() {
      @Override
      public void accepted(long connection, org.securecmd.daemon.auth.Identity identity,
                           java.security.cert.X509Certificate leaf) {
        RenewalState r = renewal;
        if (r != null) r.rollover().connected(connection, identity.serial(), leaf == null ? null : leaf.getNotAfter().toInstant());
      }

      @Override
      public void closed(long connection) {
        RenewalState r = renewal;
        if (r != null) r.rollover().closed(connection);
      }
    };
  }

  static String version() {
    String v = Daemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Loads the config and every file it names, as startup would; throws the first problem. */
  static void checkConfig(Path configFile) throws ConfigException {
    Generation g = new Generations(Clock.systemUTC(), () -> DenyList.EMPTY).build(configFile, 0);
    StateStores.check(g.config());
  }

  /** Loads, listens, serves; returns once a stop was requested and connections drained. */
  void runUntilStopped() throws ConfigException, IOException, InterruptedException {
    SystemdSockets systemdSockets = environment.sockets();
    installSignals(); // before READY=1, so that systemd's first reload finds the handler
    start(config -> systemdSockets.listener().orElseGet(() -> new BoundListener(config.server().listen())),
        systemdSockets::adminSocket, systemdSockets.metricsSocket());
    stopRequested.await();
    stop();
  }

  /**
   * Loads the first generation and the deny list, starts serving on the listener {@code sources} picks for
   * its config and on the admin socket, then sends READY=1.
   *
   * @throws IOException when the listener or admin socket cannot be opened, or the deny list is unreadable
   *     or corrupt (it is never silently discarded)
   */
  void start(Function<Config, ListenerSource> sources) throws ConfigException, IOException {
    start(sources, Optional::empty);
  }

  /** As {@link #start(Function)}, serving the admin socket {@code adminSocket} supplies, else binding one. */
  void start(Function<Config, ListenerSource> sources, AdminSocketSource adminSocket)
      throws ConfigException, IOException {
    start(sources, adminSocket, Optional.empty());
  }

  /** As above, serving metrics on the socket systemd passed, else on {@code [metrics] listen} if set. */
  void start(Function<Config, ListenerSource> sources, AdminSocketSource adminSocket,
             Optional<MetricsSockets.Passed> metricsSocket) throws ConfigException, IOException {
    watchdog = new Watchdog(environment.watchdog(), environment.notifier(), scheduler);
    if (environment.underSystemd()) {
      // On the systemd thread, beside the config parse and TLS loading: linking the FFM calls that adopting
      // systemd's socket and sd_notify make took about 0.15 s of a cold start (bench/cold-start.sh).
      scheduler.execute(() -> {
        SocketActivation.linkDowncalls();
        systemd.statusWhileStarting("loading " + configFile);
      });
    }
    Generation first = load();
    state = StateStores.open(first.config(), clock, threads.stateFollower());
    install(first);
    RenewalState renewals = renewalState(first.config());
    crlWatcher.baseline(first);
    try {
      server = new Server(sources.apply(first.config()), current::get, first.config().server().maxConnections(), metrics,
          threads.server(), renewalListener());
    } catch (RuntimeException e) {
      state.close();
      throw e;
    }
    try {
      revocations = new Revocations(state, server.registry(), clock, HostName.get());
      state.listen(stateListener(revocations));
      AdminRequests requests = new AdminRequests(version(), clock, current::get, server, metrics, this,
          revocations, renewals.issued(), new EnrollmentRequests(StateStores.enrollmentRegistry(first.config()), clock,
              HostName.get()));
      String group = first.config().admin().group();
      Optional<ServerSocketChannel> passed = adminSocket.open();
      admin = passed.isPresent()
          ? AdminServer.adopt(passed.get(), "systemd socket \"" + SystemdSockets.ADMIN + "\"", group, requests,
              threads.admin())
          : AdminServer.bind(first.config().admin().socket(), group, requests, threads.admin());
      metricsEndpoint = MetricsSockets.open(first.config().metrics(), metricsSocket, requests::metricsText,
          threads);
    } catch (IOException | RuntimeException e) {
      if (admin != null) admin.close();
      server.close();
      state.close();
      threads.close();
      throw e;
    }
    server.start();
    admin.start();
    metricsEndpoint.ifPresent(MetricsEndpoint::start);
    log.info("securecmdd {} serving on {}, admin socket {} (config {}, generation {}, {} deny-list entries)",
        version(), server.description(), admin.description(), configFile, first.number(),
        denyList().size());
    systemd.ready();
    sendStatus();
    scheduler.scheduleAtFixedRate(this::sendStatus, STATUS_SECONDS, STATUS_SECONDS, TimeUnit.SECONDS);
    crlTimer.scheduleWithFixedDelay(crlWatcher::poll, crlPollInterval.toMillis(), crlPollInterval.toMillis(),
        TimeUnit.MILLISECONDS);
    watchdog.start();
  }

  private DenyList denyList() {
    StateStore s = state;
    return s == null ? DenyList.EMPTY : s.denyList();
  }

  /**
   * A deny-list change from another host (or a resync) takes the local revoke's path: open connections the
   * list now denies are closed; new connections read the list from the store anyway.
   */
  private StateListener stateListener(Revocations revocations) {
    return new StateListener() {
      @Override
      public void denyListChanged(DenyList now) {
        int closed = revocations.enforce();
        log.info("deny list changed in the state store: {} entries, {} open connection(s) closed", now.size(), closed);
      }

      @Override
      public void healthChanged(StateHealth now) {
        sendStatus();
      }
    };
  }

  /** Builds a new generation from the config file as it is now, without installing it. */
  Generation load() throws ConfigException {
    Generation now = current.get();
    return generations.build(configFile, now == null ? 1 : now.number() + 1);
  }

  /** Makes {@code g} the generation every request from now on is authorised and answered by. */
  void install(Generation g) {
    current.set(g);
    metrics.knownVerbs(g.commands()::knows);
  }

  /**
   * Builds a complete new generation. If any step fails, the old generation keeps serving and the error is
   * returned. Systemd sees RELOADING=1 then READY=1 either way; reloads run one at a time.
   */
  @Override
  public Generation reload() throws Reloader.Failed {
    synchronized (reloading) {
      Generation old = current.get();
      systemd.reloading();
      try {
        Generation next = load();
        install(next);
        crlWatcher.baseline(next);
        lastReload = LastReload.succeeded(clock.instant());
        int refused = server.recheckOpenConnections();
        log.info("reloaded {}: generation {} replaces {} for every request; {} open connection(s) re-checked, "
            + "{} refused", configFile, next.number(), old.number(), server.openConnections(), refused);
        return next;
      } catch (ConfigException e) {
        log.error("reload failed, generation {} keeps serving: {}", old.number(), e.getMessage());
        lastReload = LastReload.failed(clock.instant(), e.getMessage());
        throw new Reloader.Failed(e.getMessage());
      } catch (RuntimeException e) {
        lastReload = LastReload.failed(clock.instant(), e.toString());
        throw e;
      } finally {
        systemd.readyAfterReload();
        sendStatus();
      }
    }
  }

  /**
   * The CRL file changed and loaded ({@link CrlWatcher}): new connections get a generation with it, and
   * every open connection is re-checked (a newly revoked one gets ERR FORBIDDEN and is closed).
   * Returns how many were refused.
   */
  private int crlsLoaded(List<X509CRL> crls) {
    synchronized (reloading) {
      Generation next = generations.withCrls(current.get(), crls, current.get().number() + 1);
      install(next);
      // the policy-change hook: every open connection is re-checked against the new generation's CRL
      return server == null ? 0 : server.recheckOpenConnections();
    }
  }

  @Override
  public Optional<LastReload> lastReload() {
    return Optional.ofNullable(lastReload);
  }

  private void reloadOnSignal() {
    if (server == null) {
      log.warn("SIGHUP ignored: still starting");
      return;
    }
    try {
      reload();
    } catch (Reloader.Failed e) {
      // logged by reload()
    } catch (RuntimeException e) {
      log.error("reload failed unexpectedly", e);
    }
  }

  private void sendStatus() {
    Server s = server;
    if (s == null) return;
    StateStore st = state;
    String degraded = st != null && st.health().degraded() ? ", state degraded (last-known deny list)" : "";
    systemd.status("generation " + current.get().number() + ", " + s.openConnections() + " connections open, "
        + metrics.acceptedCount() + " accepted, " + metrics.requestCount() + " requests" + degraded
        + lastReload().map(r -> "; " + r.summary()).orElse(""));
  }

  /** Asks the daemon to stop; {@link #runUntilStopped} then drains and returns. */
  void requestStop() {
    stopRequested.countDown();
  }

  /** Sends STOPPING=1, stops accepting, lets in-flight requests finish within {@code shutdown_timeout}. */
  void stop() throws InterruptedException {
    if (server == null) return;
    systemd.stopping();
    if (watchdog != null) watchdog.close();
    scheduler.shutdownNow();
    crlTimer.shutdownNow();
    rolloverLookups.shutdownNow();
    log.info("stopping: no new connections; draining {} open", server.openConnections());
    if (admin != null) admin.close();
    metricsEndpoint.ifPresent(MetricsEndpoint::close);
    server.stopAccepting();
    boolean clean = server.drain(current.get().config().server().shutdownTimeout());
    server.close();
    state.close();
    threads.close();
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

  /** Where the metrics endpoint listens; empty when it is off. */
  Optional<InetSocketAddress> metricsAddress() {
    return metricsEndpoint.map(MetricsEndpoint::address);
  }

  Path adminSocket() {
    return admin.path().orElseThrow();
  }

  /** Where the admin socket comes from when systemd may pass one; empty means bind {@code [admin] socket}. */
  @FunctionalInterface
  interface AdminSocketSource {
    Optional<ServerSocketChannel> open() throws IOException;
  }

  private void installSignals() {
    // sun.misc.Signal (jdk.unsupported) is the JDK's only way to catch SIGTERM without a shutdown hook,
    // which could not exit 0 after a graceful stop. Each signal runs its handler on a new thread.
    Signal.handle(new Signal("TERM"), s -> requestStop());
    Signal.handle(new Signal("INT"), s -> requestStop());
    Signal.handle(new Signal("HUP"), s -> reloadOnSignal());
  }
}
