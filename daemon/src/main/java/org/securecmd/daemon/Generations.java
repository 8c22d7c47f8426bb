package org.securecmd.daemon;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.util.List;
import java.time.Clock;
import java.util.function.Supplier;
import org.securecmd.daemon.auth.AccessPolicy;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.ChainTrust;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.command.CommandTable;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.daemon.config.EnrollmentSettings;
import org.securecmd.daemon.enroll.EnrollmentCa;
import org.securecmd.daemon.enroll.RenewalState;
import org.securecmd.daemon.enroll.Renewals;
import org.securecmd.daemon.server.Generation;
import org.securecmd.daemon.tls.ServerTls;
import org.securecmd.daemon.tls.TlsMaterial;

/** Builds a complete generation from a config file, or throws the first problem; never half of one. */
final class Generations {
  private final Clock clock;
  private final Supplier<DenyList> denyList;
  private final RenewalStates renewalStates;

  /** The renewal state for a config's state directory, created on first use. */
  @FunctionalInterface
  interface RenewalStates {
    /** @return the state, or null when only checking a config (the CA is then checked, nothing served) */
    RenewalState forConfig(Config config) throws ConfigException;
  }

  Generations(Clock clock, Supplier<DenyList> denyList) {
    this(clock, denyList, c -> null);
  }

  Generations(Clock clock, Supplier<DenyList> denyList, RenewalStates renewalStates) {
    this.clock = clock;
    this.denyList = denyList;
    this.renewalStates = renewalStates;
  }

  Generation build(Path configFile, long number) throws ConfigException {
    return build(ConfigLoader.load(configFile), number);
  }

  Generation build(Config config, long number) throws ConfigException {
    TlsMaterial tls = ServerTls.load(config, clock.instant());
    AccessPolicy policy = new AccessPolicy(AllowList.of(config.clients().allow(), config.clients().allowAnonymous()),
        tls.crls(), denyList, clock, ChainTrust.of(tls.clientCas()));
    Renewals renewals = null;
    EnrollmentSettings enrollment = config.enrollment();
    if (enrollment != null) {
      EnrollmentCa ca = EnrollmentCa.load(enrollment, config.origins(), tls.clientCas(), clock.instant());
      RenewalState state = renewalStates.forConfig(config);
      if (state != null) {
        renewals = new Renewals(enrollment, ca, policy, state.issued(), state.rollover(), state.events(), clock);
      }
    }
    return new Generation(number, config, tls, policy, CommandTable.of(config.commands(), renewals), clock.instant());
  }

  /**
   * {@code g} with the CRLs the watched file holds now: the same config, commands and TLS context (so
   * sessions stay resumable: the CRL is checked after every handshake, not inside it), a new policy.
   */
  Generation withCrls(Generation g, List<X509CRL> crls, long number) {
    TlsMaterial t = g.tls();
    TlsMaterial tls = new TlsMaterial(t.context(), t.parameters(), t.serverKey(), t.clientCas(), crls);
    // the same anchors, the same ChainTrust: open connections are not validated again for a CRL change
    AccessPolicy policy = new AccessPolicy(g.policy().connectAllow(), crls, denyList, clock, g.policy().trust());
    return new Generation(number, g.config(), tls, policy, g.commands(), clock.instant());
  }
}
