package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code [clients]}: how devices authenticate and who may connect at all.
 *
 * @param ca the CA bundle that issues device certificates; empty only when auth is NONE
 * @param crl a file of one or more CRLs (PEM blocks, or one DER CRL); empty when none is configured
 * @param allow identity patterns allowed to connect; they match certified clients only; empty allows nobody
 * @param allowAnonymous whether clients without a certificate may connect (only with auth OPTIONAL or NONE)
 */
public record ClientSettings(ClientAuthMode auth, Optional<Path> ca, Optional<Path> crl, List<String> allow,
                             boolean allowAnonymous) {
  public ClientSettings {
    allow = List.copyOf(allow);
    if (auth != ClientAuthMode.NONE && ca.isEmpty()) throw new IllegalArgumentException("client auth needs a CA");
  }

  static ClientSettings read(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("auth", "ca", "crl", "allow", "allow_anonymous"));
    ClientAuthMode auth = r.choice("auth", "required", Map.entry("required", ClientAuthMode.REQUIRED),
        Map.entry("optional", ClientAuthMode.OPTIONAL), Map.entry("none", ClientAuthMode.NONE));
    Optional<Path> ca = r.optionalPath("ca", auth == ClientAuthMode.NONE ? "" : "/etc/securecmd/client_ca.pem");
    if (ca.isEmpty() && auth != ClientAuthMode.NONE) {
      throw r.error("ca", "\"\"", "a client CA file is required when auth = \"" + auth.name().toLowerCase(Locale.ROOT)
          + "\" (there is no fallback to system CAs)");
    }
    Optional<Path> crl = r.optionalPath("crl", "");
    return new ClientSettings(auth, ca, crl, r.patterns("allow"), r.bool("allow_anonymous", false));
  }
}
