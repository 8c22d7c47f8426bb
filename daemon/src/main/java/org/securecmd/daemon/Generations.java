package org.securecmd.daemon;

import java.nio.file.Path;
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
    AccessPolicy policy = new AccessPolicy(
        AllowList.of(config.clients().allow(), config.clients().allowAnonymous()), tls.crls(), denyList, clock);
    return new Generation(number, config, tls, policy, CommandTable.of(config.commands()), clock.instant());
  }
}
