package org.securecmd.daemon;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.util.List;
import java.util.Optional;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.securecmd.daemon.audit.Metrics;
import org.securecmd.daemon.auth.AccessPolicy;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.ChainTrust;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.command.CommandTable;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.daemon.config.EnrollmentSettings;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.attest.EkAuthority;
import org.securecmd.daemon.enroll.EnrollmentCa;
import org.securecmd.daemon.enroll.EnrollmentEvents;
import org.securecmd.daemon.enroll.Enrollments;
import org.securecmd.daemon.enroll.StateQuotes;
import org.securecmd.daemon.state.EnrollmentRegistry;
import org.securecmd.daemon.state.QuoteLog;
import org.securecmd.daemon.state.StateStores;
import org.securecmd.daemon.enroll.RenewalEvents;
import org.securecmd.daemon.enroll.RenewalRefusal;
import org.securecmd.daemon.enroll.RenewalState;
import org.securecmd.daemon.enroll.Renewals;
import org.securecmd.daemon.server.ConnectionListener;
import org.securecmd.daemon.server.Generation;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.tls.ServerTls;
import org.securecmd.daemon.tls.TlsMaterial;

/**
 * Builds complete generations from the config file, and holds the one that serves: the daemon's single
 * {@code AtomicReference<Generation>}, read for every request. A build throws the first problem and installs
 * nothing, never half a generation; only {@link #install} swaps. Also holds what every generation of a
 * serving daemon shares: the renewal state (issuance log and rollover), made by the first build that needs it.
 */
final class Generations {
  private final Path configFile;
  private final Clock clock;
  private final Supplier<DenyList> denyList;
  private final Optional<Serving> serving;
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private final AtomicReference<RenewalState> renewal = new AtomicReference<>();
  private final AtomicReference<EnrollmentRegistry> registry = new AtomicReference<>();
  private final AtomicReference<QuoteLog> quoteLog = new AtomicReference<>();

  /**
   * What a serving daemon's generations report to and act through (absent when only checking a config).
   *
   * @param revokeSerial puts a replaced serial on the deny list and closes its connections
   * @param rolloverLookups where the issuance log is read when a serial first connects
   * @param denyIdentity puts an identity on the deny list and closes its connections ({@code on_mismatch = "deny"})
   */
  record Serving(Metrics metrics, Consumer<String> revokeSerial, Executor rolloverLookups,
                 Consumer<String> denyIdentity) {}

  /** @param denyList read by every generation's policy on every check */
  Generations(Path configFile, Clock clock, Supplier<DenyList> denyList, Optional<Serving> serving) {
    this.configFile = configFile;
    this.clock = clock;
    this.denyList = denyList;
    this.serving = serving;
  }

  /** Loads {@code configFile} and every file it names, as a start would, with an empty deny list. */
  static Generation check(Path configFile) throws ConfigException {
    return new Generations(configFile, Clock.systemUTC(), () -> DenyList.EMPTY, Optional.empty()).next();
  }

  /** The generation every request is authorised and answered by now; null before the first install. */
  Generation current() {
    return current.get();
  }

  /** Builds a new generation from the config file as it is now, without installing it. */
  Generation next() throws ConfigException {
    return next(() -> {});
  }

  /** {@link #next()}, telling {@code configRead} when the config is parsed, before its files are loaded. */
  Generation next(Runnable configRead) throws ConfigException {
    Generation now = current.get();
    Config config = ConfigLoader.load(configFile);
    configRead.run();
    return build(config, now == null ? 1 : now.number() + 1);
  }

  /** Makes {@code g} the generation every request from now on is authorised and answered by. */
  void install(Generation g) {
    current.set(g);
    serving.ifPresent(s -> s.metrics().knownVerbs(g.commands()::knows));
  }

  /**
   * Installs the current generation with the CRLs the watched file holds now: the same config, commands and
   * TLS context (so sessions stay resumable: the CRL is checked after every handshake, not inside it), a new
   * policy and number.
   */
  Generation installCrls(List<X509CRL> crls) {
    Generation g = current.get();
    TlsMaterial t = g.tls();
    TlsMaterial tls = new TlsMaterial(t.context(), t.parameters(), t.serverKey(), t.clientCas(), crls);
    // the same anchors, the same ChainTrust: open connections are not validated again for a CRL change
    AccessPolicy policy = new AccessPolicy(g.policy().connectAllow(), crls, denyList, clock, g.policy().trust());
    Generation next = new Generation(g.number() + 1, g.config(), tls, policy, g.commands(), clock.instant());
    install(next);
    return next;
  }

  private Generation build(Config config, long number) throws ConfigException {
    TlsMaterial tls = ServerTls.load(config, clock.instant());
    AccessPolicy policy = new AccessPolicy(AllowList.of(config.clients().allow(), config.clients().allowAnonymous()),
        tls.crls(), denyList, clock, ChainTrust.of(tls.clientCas()));
    Renewals renewals = null;
    Enrollments enrollments = null;
    StateQuotes quotes = null;
    if (config.attestation().isPresent()) checkEkCas(config);
    if (config.enrollment().isPresent()) {
      EnrollmentSettings enrollment = config.enrollment().get();
      EnrollmentCa ca = EnrollmentCa.load(enrollment, config.origins(), tls.clientCas(), clock.instant());
      if (serving.isPresent()) { // when only checking, the CA is checked and nothing is served
        RenewalState state = renewalState(config);
        renewals = new Renewals(enrollment, ca, policy, state.issued(), state.rollover(), state.events(), clock);
        if (config.attestation().isPresent()) {
          enrollments = new Enrollments(config.attestation().get(), enrollment, ca, denyList, state.issued(),
              enrollmentRegistry(config), enrollmentEvents(serving.get().metrics()), serving.get().revokeSerial(),
              clock);
          quotes = new StateQuotes(config.attestation().get(), enrollmentRegistry(config), state.issued(),
              quoteLog(config), attestationEvents(serving.get().metrics()), serving.get().denyIdentity(), clock);
        }
      }
    }
    return new Generation(number, config, tls, policy, CommandTable.of(config.commands(), Optional.ofNullable(renewals),
        Optional.ofNullable(enrollments), Optional.ofNullable(quotes)), clock.instant());
  }

  /** The EK CA bundle must hold a root (a device sends its EK certificate alone). */
  private static void checkEkCas(Config config) throws ConfigException {
    try {
      EkAuthority.of(config.attestation().get().ekCaCertificates());
    } catch (IllegalArgumentException e) {
      throw config.origins().error("attestation", "ek_ca", config.attestation().get().ekCa(), e.getMessage());
    }
  }

  /**
   * The enrollment registry of {@code config}'s state backend, for a serving daemon; the first call fixes it
   * (as for the renewal state). The admin socket's {@code enroll} requests use the same one, so a registration
   * made there is the one ENROLL finds.
   */
  synchronized EnrollmentRegistry enrollmentRegistry(Config config) throws ConfigException {
    if (registry.get() != null) return registry.get();
    try {
      registry.set(StateStores.enrollmentRegistry(config));
    } catch (java.io.IOException e) {
      throw new ConfigException(config.file(), 0, "[state]", "cannot open the enrollment registry: " + e.getMessage());
    }
    return registry.get();
  }

  /** The quote records of {@code config}'s state backend, for a serving daemon; the first call fixes them. */
  synchronized QuoteLog quoteLog(Config config) throws ConfigException {
    if (quoteLog.get() != null) return quoteLog.get();
    try {
      quoteLog.set(StateStores.quoteLog(config));
    } catch (java.io.IOException e) {
      throw new ConfigException(config.file(), 0, "[state]", "cannot open the quote records: " + e.getMessage());
    }
    return quoteLog.get();
  }

  private static StateQuotes.Events attestationEvents(Metrics metrics) {
    return (state, result) -> metrics.attestation().quote(state, result);
  }

  private static EnrollmentEvents enrollmentEvents(Metrics metrics) {
    return new EnrollmentEvents() {
      @Override
      public void enrolled() {
        metrics.enrollments().enrolled();
      }

      @Override
      public void pending() {
        metrics.enrollments().pending();
      }

      @Override
      public void refused(String reason) {
        metrics.enrollments().refused(reason);
      }
    };
  }

  /**
   * The issuance log and rollover of {@code config}'s state directory, for a serving daemon; the first call
   * fixes it (a reload cannot move it, as {@code [state]} is read at start only).
   */
  synchronized RenewalState renewalState(Config config) throws ConfigException {
    if (renewal.get() != null) return renewal.get();
    Serving s = serving.orElseThrow();
    Metrics metrics = s.metrics();
    RenewalState r = RenewalState.open(config, serial -> denyList.get().serials().contains(
        DenyList.normalizeSerial(serial)), s.revokeSerial(), s.rolloverLookups(), new RenewalEvents() {
          @Override
          public void issued(Issuance issuance) {
            metrics.renewals().issued();
          }

          @Override
          public void refused(RenewalRefusal reason) {
            metrics.renewals().refused(reason.label());
          }
        });
    renewal.set(r);
    metrics.renewals().dueFrom(() -> {
      Generation g = current.get();
      Optional<EnrollmentSettings> e = g == null ? Optional.empty() : g.config().enrollment();
      return e.isEmpty() ? 0 : r.rollover().dueWithin(e.get().renewBefore(), clock.instant());
    });
    return r;
  }

  /** Tells the renewal rollover about each connection that passed policy, once there is a renewal state. */
  ConnectionListener renewalListener() {
    return new ConnectionListener() {
      @Override
      public void accepted(long connection, Identity identity, X509Certificate leaf) {
        RenewalState r = renewal.get();
        if (r != null) {
          r.rollover().connected(connection, identity.serial(), leaf == null ? null : leaf.getNotAfter().toInstant());
        }
      }

      @Override
      public void closed(long connection) {
        RenewalState r = renewal.get();
        if (r != null) r.rollover().closed(connection);
      }
    };
  }
}
