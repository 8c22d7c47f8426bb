package org.securecmd.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.securecmd.daemon.admin.AdminRequests;
import org.securecmd.daemon.admin.AttestRequests;
import org.securecmd.daemon.admin.AdminServer;
import org.securecmd.daemon.admin.EnrollmentRequests;
import org.securecmd.daemon.admin.HostName;
import org.securecmd.daemon.admin.LastReload;
import org.securecmd.daemon.admin.Reloader;
import org.securecmd.daemon.admin.Revocations;
import org.securecmd.daemon.audit.CrlHealth;
import org.securecmd.daemon.audit.Metrics;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.enroll.RenewalState;
import org.securecmd.daemon.metrics.MetricsEndpoint;
import org.securecmd.daemon.metrics.MetricsSockets;
import org.securecmd.daemon.server.ConnectionListener;
import org.securecmd.daemon.server.DaemonThreads;
import org.securecmd.daemon.server.Generation;
import org.securecmd.daemon.server.ListenerSource;
import org.securecmd.daemon.server.Server;
import org.securecmd.daemon.state.EnrollmentRegistry;
import org.securecmd.daemon.state.StateHealth;
import org.securecmd.daemon.state.StateListener;
import org.securecmd.daemon.state.StateStore;
import org.securecmd.daemon.state.StateStores;
import org.securecmd.daemon.state.Successors;
import org.securecmd.daemon.systemd.SocketActivation;
import org.securecmd.daemon.systemd.SystemdEnvironment;
import org.securecmd.daemon.systemd.SystemdListener;
import org.securecmd.daemon.systemd.SystemdSockets;
import org.securecmd.daemon.systemd.SystemdStatus;
import org.securecmd.daemon.systemd.Watchdog;
import org.securecmd.daemon.tls.CrlWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: what to start (the config file, the clock, what systemd passed: values, as the daemon
 * reads no environment variable itself), and {@link #start}, which builds the running daemon in one step into
 * an immutable {@link Started}: the first generation and the deny list, the listener (systemd's socket named
 * "main", else what {@code bind} makes of {@code [server] listen}), the admin socket, the metrics endpoint,
 * then READY=1. Nothing imports this package; {@link Main} runs the process around it (signals, exit codes).
 *
 * <p>systemd may pass three sockets, by name: "main" (TCP), "admin" (UNIX) and "metrics" (TCP). The JDK turns
 * only one inherited descriptor per process into a channel ({@code System.inheritedChannel()}); that one is
 * the TCP listener, and the others are put under JDK channels with dup2(2) (see {@link SystemdSockets}).
 * Without them the daemon binds {@code [admin] socket} and {@code [metrics] listen} itself.
 * {@code [server] listen}, {@code max_connections}, {@code [admin]}, {@code [state]} and
 * {@code [metrics]} are read at start only; a reload changes everything else.
 *
 * <p>This file is longer than 300 lines because it is the one composition root (STYLE.md, "Shape"): the
 * adapters between packages that may not import each other (systemd's listener, the CRL watcher's report,
 * the state store's listener) and the running daemon's start, reload and stop are kept together on purpose,
 * so that the whole wiring reads in one place.
 *
 * @param environment what systemd passed ({@link SystemdEnvironment#NONE} by hand and in tests)
 * @param crlPollInterval how often the {@code [clients] crl} file is checked for changes
 */
record Daemon(Path configFile, Clock clock, SystemdEnvironment environment, Duration crlPollInterval) {
  Daemon {
    if (crlPollInterval.isNegative() || crlPollInterval.isZero()) {
      throw new IllegalArgumentException("crlPollInterval <= 0: " + crlPollInterval);
    }
  }

  /** How often the {@code [clients] crl} file is checked for changes, unless a test asks for another interval. */
  static final Duration CRL_POLL_INTERVAL = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  static String version() {
    String v = Daemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Loads the config and every file it names, as startup would; throws the first problem. */
  static void checkConfig(Path configFile) throws ConfigException {
    StateStores.check(Generations.check(configFile).config());
  }

  /**
   * Starts serving: on the sockets systemd passed, else on the listener {@code bind} makes from the first
   * generation's config, the configured admin socket and metrics endpoint; then sends READY=1.
   *
   * @throws IOException when the listener or admin socket cannot be opened, or the deny list is unreadable
   *     or corrupt (it is never silently discarded)
   */
  Started start(Function<Config, ListenerSource> bind) throws ConfigException, IOException {
    return start(bind, StartupPhases.untimed());
  }

  /** {@link #start(Function)}, marking each phase of the start in {@code phases} and logging them after READY=1. */
  Started start(Function<Config, ListenerSource> bind, StartupPhases phases) throws ConfigException, IOException {
    return new Started(this, bind, phases);
  }

  /**
   * The running daemon: every part that {@link #start} built, fixed for its life. Only the generation it
   * serves is swapped ({@link Generations}); a reload and a changed CRL file do that one at a time.
   */
  static final class Started implements Reloader {
    private static final long STATUS_SECONDS = 10;
    private final Path configFile;
    private final Clock clock;
    private final Metrics metrics = new Metrics();
    private final DaemonThreads threads = new DaemonThreads();
    private final ScheduledExecutorService scheduler = threads.systemd();
    private final ScheduledExecutorService crlTimer = threads.crlWatch();
    private final ExecutorService rolloverLookups = threads.rolloverLookups();
    private final Object reloading = new Object();
    private final AtomicReference<LastReload> lastReload = new AtomicReference<>();
    private final SystemdStatus systemd;
    private final Watchdog watchdog;
    private final Generations generations;
    private final CrlWatcher crlWatcher;
    private final StateStore state;
    private final Server server;
    private final Revocations revocations;
    private final AdminServer admin;
    private final Optional<MetricsEndpoint> metricsEndpoint;

    // The parts reach each other through methods of this object (the deny list, the renewal state, the
    // revocations); each is assigned below before any thread that uses it starts.
    private Started(Daemon d, Function<Config, ListenerSource> bind, StartupPhases phases)
        throws ConfigException, IOException {
      configFile = d.configFile();
      clock = d.clock();
      systemd = new SystemdStatus(d.environment().notifier());
      watchdog = new Watchdog(d.environment().watchdog(), d.environment().notifier(), scheduler);
      generations = new Generations(configFile, clock, this::denyList,
          Optional.of(new Generations.Serving(metrics, this::revokeReplacedSerial, rolloverLookups,
              this::denyMismatchedDevice)));
      crlWatcher = new CrlWatcher(() -> served(generations.current()), this::crlsLoaded, crlReport(metrics.crl()),
          clock);
      if (d.environment().underSystemd()) {
        // On the systemd thread, beside the config parse and TLS loading: linking the FFM calls that adopting
        // systemd's socket and sd_notify make took about 0.15 s of a cold start (bench/cold-start.sh).
        scheduler.execute(() -> {
          SocketActivation.linkDowncalls();
          systemd.statusWhileStarting("loading " + configFile);
        });
      }
      Generation first = generations.next(() -> phases.mark("config"));
      phases.mark("tls");
      // The deny list is open before the first connection is accepted: it applies to that one too.
      state = StateStores.open(first.config(), clock, threads.stateFollower());
      generations.install(first);
      RenewalState renewals = generations.renewalState(first.config());
      // one per daemon: the file backend's copy assumes it is the only writer (the enrollment verbs take this one)
      EnrollmentRegistry registry = generations.enrollmentRegistry(first.config()); // the one ENROLL uses
      crlWatcher.baseline(served(first));
      phases.mark("state");
      SystemdSockets passed = d.environment().sockets();
      try {
        server = new Server(passed.listener().map(Started::listener).orElseGet(() -> bind.apply(first.config())),
            generations::current, first.config().server().maxConnections(), metrics, threads.server(),
            firstConnectionLogged(generations.renewalListener(), phases));
      } catch (RuntimeException e) {
        state.close();
        throw e;
      }
      phases.mark("listener");
      AdminServer adminServer = null;
      try {
        revocations = new Revocations(state, server.registry(), clock, HostName.get(),
            new Successors(renewals.issued()));
        state.listen(stateListener());
        // Accepting starts here, before the admin socket, the metrics endpoint and READY=1: the first device
        // (the one whose connection started the daemon) needs the generation, the deny list and the
        // revocations, all in place now, and none of what follows; its handshake runs while the rest is set
        // up. A failure below still stops the daemon (the connections accepted meanwhile are closed).
        server.start();
        phases.mark("accepting");
        // off the start: with the database away the lookup waits for its timeouts (a reload's runs inline)
        Revocations started = revocations;
        rolloverLookups.execute(() -> revokeSuccessorsOfCrlEntries(started, first));
        AdminRequests requests = new AdminRequests(version(), clock, generations::current, server, metrics, this,
            revocations, renewals.issued(), new EnrollmentRequests(registry, clock, HostName.get()),
            new AttestRequests(() -> generations.current().commands().quotes()));
        String group = first.config().admin().group();
        Optional<ServerSocketChannel> adminSocket = passed.adminSocket();
        adminServer = adminSocket.isPresent()
            ? AdminServer.adopt(adminSocket.get(), SystemdSockets.describe(SystemdSockets.ADMIN), group, requests,
                threads.admin())
            : AdminServer.bind(first.config().admin().socket(), group, requests, threads.admin());
        metricsEndpoint = MetricsSockets.open(first.config().metrics(), passed.metricsSocket().map(r ->
            new MetricsSockets.Passed(SystemdSockets.describe(SystemdSockets.METRICS), r::replace)),
            requests::metricsText, threads::metricsRequests);
      } catch (IOException | RuntimeException e) {
        if (adminServer != null) adminServer.close();
        server.close();
        state.close();
        threads.close();
        throw e;
      }
      admin = adminServer;
      admin.start();
      metricsEndpoint.ifPresent(MetricsEndpoint::start);
      phases.mark("admin+metrics");
      log.info("securecmdd {} serving on {}, admin socket {} (config {}, generation {}, {} deny-list entries)",
          version(), server.description(), admin.description(), configFile, first.number(), denyList().size());
      phases.mark("log");
      systemd.ready();
      phases.mark("ready");
      sendStatus();
      scheduler.scheduleAtFixedRate(this::sendStatus, STATUS_SECONDS, STATUS_SECONDS, TimeUnit.SECONDS);
      crlTimer.scheduleWithFixedDelay(crlWatcher::poll, d.crlPollInterval().toMillis(),
          d.crlPollInterval().toMillis(), TimeUnit.MILLISECONDS);
      watchdog.start();
      log.info(phases.summary());
    }

    /** {@code listener}, and the first connection that passed its handshake and policy is logged with its time. */
    private static ConnectionListener firstConnectionLogged(ConnectionListener listener, StartupPhases phases) {
      return new ConnectionListener() {
        @Override
        public void accepted(long connection, Identity identity, X509Certificate leaf) {
          phases.firstConnection().ifPresent(log::info);
          listener.accepted(connection, identity, leaf);
        }

        @Override
        public void closed(long connection) {
          listener.closed(connection);
        }
      };
    }

    /** The socket systemd passed as the server's listener (the systemd package knows no server type). */
    private static ListenerSource listener(SystemdListener systemd) {
      return new ListenerSource() {
        @Override
        public ServerSocketChannel open() throws IOException {
          return systemd.open();
        }

        @Override
        public String describe() {
          return systemd.describe();
        }

        @Override
        public void close(ServerSocketChannel channel) throws IOException {
          systemd.close(channel);
        }
      };
    }

    private static CrlWatcher.Served served(Generation g) {
      return new CrlWatcher.Served(g.config(), g.tls());
    }

    /** The CRL file's state, as status and the metrics show it. */
    private static CrlWatcher.Report crlReport(CrlHealth health) {
      return new CrlWatcher.Report() {
        @Override
        public void inForce(boolean configured, Instant at, List<CrlWatcher.InForce> crls) {
          health.set(new CrlHealth.Status(configured, true, "", at,
              crls.stream().map(c -> new CrlHealth.Crl(c.issuer(), c.number(), c.thisUpdate(), c.nextUpdate()))
                  .toList()));
        }

        @Override
        public void failed(String error) {
          health.set(health.status().failed(error));
        }
      };
    }

    private DenyList denyList() {
      StateStore s = state; // null while the first generation is built, before the store is open
      return s == null ? DenyList.EMPTY : s.denyList();
    }

    /**
     * A rekeyed device connected with its new certificate: its old serial goes on the deny list, and
     * {@link Revocations} re-checks the open connections (the policy-change hook), closing the old serial's.
     */
    private void revokeReplacedSerial(String serial) {
      Revocations r = revocations; // assigned before the server accepts the first connection
      if (r != null) r.revoke(DenyListEntry.Kind.SERIAL, serial, "", "replaced by a renewed certificate");
    }

    /**
     * {@code [attestation] on_mismatch = "deny"}: a device whose quote matched no state goes on the deny list
     * by identity, on every host, and its open connections close (as {@code securecmdctl revoke} would).
     */
    private void denyMismatchedDevice(String identity) {
      Revocations r = revocations;
      if (r != null) r.revoke(DenyListEntry.Kind.IDENTITY, identity, "", "TPM quote matched no attestation state");
    }

    /**
     * A deny-list change from another host (or a resync) takes the local revoke's path: open connections the
     * list now denies are closed; new connections read the list from the store anyway.
     */
    private StateListener stateListener() {
      return new StateListener() {
        @Override
        public void denyListChanged(DenyList now) {
          int closed = revocations.enforce();
          log.info("deny list changed in the state store: {} entries, {} open connection(s) closed", now.size(),
              closed);
        }

        @Override
        public void healthChanged(StateHealth now) {
          sendStatus();
        }
      };
    }

    /**
     * Builds a complete new generation. If any step fails, the old generation keeps serving and the error is
     * returned. Systemd sees RELOADING=1 then READY=1 either way; reloads run one at a time.
     */
    @Override
    public Generation reload() throws Reloader.Failed {
      synchronized (reloading) {
        Generation old = generations.current();
        systemd.reloading();
        try {
          Generation next = generations.next();
          generations.install(next);
          crlWatcher.baseline(served(next));
          revokeSuccessorsOfCrlEntries(revocations, next);
          lastReload.set(LastReload.succeeded(clock.instant()));
          int refused = server.recheckOpenConnections();
          log.info("reloaded {}: generation {} replaces {} for every request; {} open connection(s) re-checked, "
              + "{} refused", configFile, next.number(), old.number(), server.openConnections(), refused);
          return next;
        } catch (ConfigException e) {
          log.error("reload failed, generation {} keeps serving: {}", old.number(), e.getMessage());
          lastReload.set(LastReload.failed(clock.instant(), e.getMessage()));
          throw new Reloader.Failed(e.getMessage());
        } catch (RuntimeException e) {
          lastReload.set(LastReload.failed(clock.instant(), e.toString()));
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
        revokeSuccessorsOfCrlEntries(revocations, generations.installCrls(crls));
        // the policy-change hook: every open connection is re-checked against the new generation's CRL
        return server.recheckOpenConnections();
      }
    }

    /**
     * A CRL entry revokes the renewed successors of its serial that were never used, as {@code revoke serial}
     * does: on the deny list, so every host of the fleet refuses them too.
     */
    private static void revokeSuccessorsOfCrlEntries(Revocations r, Generation g) {
      if (g.tls().crls().isEmpty()) return;
      Set<String> serials = new HashSet<>();
      for (X509CRL crl : g.tls().crls()) {
        Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
        if (entries != null) entries.forEach(e -> serials.add(e.getSerialNumber().toString(16)));
      }
      int added = r.revokeUnusedSuccessors(serials, "crl@" + HostName.get(), "of the CRL's serials");
      if (added > 0) log.info("the CRL revoked {} never-used renewed certificate(s) with their predecessors", added);
    }

    @Override
    public Optional<LastReload> lastReload() {
      return Optional.ofNullable(lastReload.get());
    }

    /** SIGHUP: a reload whose failure is logged, never thrown. */
    void reloadOnSignal() {
      try {
        reload();
      } catch (Reloader.Failed e) {
        // logged by reload()
      } catch (RuntimeException e) {
        log.error("reload failed unexpectedly", e);
      }
    }

    private void sendStatus() {
      String degraded = state.health().degraded() ? ", state degraded (last-known deny list)" : "";
      systemd.status("generation " + generations.current().number() + ", " + server.openConnections()
          + " connections open, " + metrics.acceptedCount() + " accepted, " + metrics.requestCount() + " requests"
          + degraded + lastReload().map(r -> "; " + r.summary()).orElse(""));
    }

    /** Sends STOPPING=1, stops accepting, lets in-flight requests finish within {@code shutdown_timeout}. */
    void stop() throws InterruptedException {
      systemd.stopping();
      watchdog.close();
      scheduler.shutdownNow();
      crlTimer.shutdownNow();
      rolloverLookups.shutdownNow();
      log.info("stopping: no new connections; draining {} open", server.openConnections());
      admin.close();
      metricsEndpoint.ifPresent(MetricsEndpoint::close);
      server.stopAccepting();
      boolean clean = server.drain(generations.current().config().server().shutdownTimeout());
      server.close();
      state.close();
      threads.close();
      log.info("stopped{}", clean ? "" : " (connections still busy after shutdown_timeout were closed)");
    }

    int port() throws IOException {
      return server.port();
    }

    Generation generation() {
      return generations.current();
    }

    /** Builds and installs generations (tests install their own). */
    Generations generations() {
      return generations;
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
  }
}
