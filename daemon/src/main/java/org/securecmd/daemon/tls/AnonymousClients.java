package org.securecmd.daemon.tls;

import java.util.Optional;
import org.securecmd.daemon.config.ClientAuthMode;
import org.securecmd.daemon.config.ClientSettings;
import org.securecmd.daemon.config.Config;

/**
 * What {@code [clients] auth} lets through the handshake against what {@code allow_anonymous} admits after it.
 * A handshake without a client certificate is possible when auth is "optional" or "none", but such a client
 * is admitted only by {@code [clients] allow_anonymous = true} (never by a pattern, not even {@code "*"}); a
 * config that opens the handshake but admits nobody anonymous loads, with a warning saying so (not with
 * {@code [attestation]}: such clients may then enroll, and nothing else).
 */
final class AnonymousClients {
  private AnonymousClients() {}

  /** The warning for {@code config}, or empty when its client settings are consistent. */
  static Optional<String> warning(Config config) {
    ClientSettings c = config.clients();
    String auth = "[clients] auth = \"" + c.auth().name().toLowerCase(java.util.Locale.ROOT) + "\"";
    if (c.auth() == ClientAuthMode.REQUIRED) {
      if (c.allowAnonymous()) {
        return Optional.of("[clients] allow_anonymous = true has no effect while auth = \"required\": every client "
            + "presents a certificate");
      }
      return Optional.empty();
    }
    if (c.allowAnonymous()) return Optional.empty();
    // with [attestation], clients without a certificate complete the handshake on purpose: to enroll
    if (config.attestation().isPresent()) return Optional.empty();
    if (c.auth() == ClientAuthMode.NONE) {
      return Optional.of(auth + " but [clients] allow_anonymous is false: no client presents a certificate, so "
          + "every connection is refused after the handshake; set allow_anonymous = true (and per command) to "
          + "serve clients without certificates");
    }
    return Optional.of(auth + " but [clients] allow_anonymous is false: clients without a certificate complete "
        + "the handshake and are then refused (\"*\" matches certified clients only); set auth = \"required\", "
        + "or allow_anonymous = true to admit them");
  }
}
