package org.securecmd.daemon.auth;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether a peer may stay connected: not revoked by the CRL or the deny list, and on the connection allow
 * list. Run after every handshake, full or resumed; per-command checks use each command's own list.
 *
 * @param crl the CRL of this generation, or {@code null}
 * @param denyList read on every check, so a revocation made through the admin socket applies at once
 */
public record AccessPolicy(AllowList connectAllow, X509CRL crl, Supplier<DenyList> denyList) {
  /** Returns why {@code identity} may not connect, or empty when it may. */
  public Optional<String> refusal(Identity identity, List<X509Certificate> chain) {
    if (crl != null) {
      for (X509Certificate c : chain) {
        if (crl.isRevoked(c)) return Optional.of("certificate revoked (CRL)");
      }
    }
    if (denyList.get().denies(identity)) return Optional.of("revoked by the operator");
    if (!connectAllow.allows(identity)) return Optional.of("identity not allowed to connect");
    return Optional.empty();
  }
}
