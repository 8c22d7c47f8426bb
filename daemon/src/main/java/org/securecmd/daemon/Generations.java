package org.securecmd.daemon;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.util.List;
import java.time.Clock;
import java.util.function.Supplier;
import org.securecmd.daemon.auth.AccessPolicy;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.command.CommandTable;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.daemon.server.Generation;
import org.securecmd.daemon.tls.ServerTls;
import org.securecmd.daemon.tls.TlsMaterial;

/** Builds a complete generation from a config file, or throws the first problem; never half of one. */
final class Generations {
  private final Clock clock;
  private final Supplier<DenyList> denyList;

  Generations(Clock clock, Supplier<DenyList> denyList) {
    this.clock = clock;
    this.denyList = denyList;
  }

  Generation build(Path configFile, long number) throws ConfigException {
    return build(ConfigLoader.load(configFile), number);
  }

  Generation build(Config config, long number) throws ConfigException {
    TlsMaterial tls = ServerTls.load(config, clock.instant());
    AccessPolicy policy = new AccessPolicy(AllowList.of(config.clients().allow()), tls.crl(), denyList);
    return new Generation(number, config, tls, policy, CommandTable.of(config.commands()), clock.instant());
  }

  /**
   * {@code g} with the CRLs the watched file holds now: the same config, commands and TLS context (so
   * sessions stay resumable: the CRL is checked after every handshake, not inside it), a new policy.
   */
  Generation withCrls(Generation g, List<X509CRL> crls, long number) {
    X509CRL crl = crls.isEmpty() ? null : crls.getFirst(); // one CRL per file today; see ServerTls.loadCrls
    TlsMaterial t = g.tls();
    TlsMaterial tls = new TlsMaterial(t.context(), t.parameters(), t.serverKey(), t.clientCas(), crl);
    AccessPolicy policy = new AccessPolicy(g.policy().connectAllow(), crl, denyList);
    return new Generation(number, g.config(), tls, policy, g.commands(), clock.instant());
  }
}
