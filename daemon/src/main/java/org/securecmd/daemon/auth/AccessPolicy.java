package org.securecmd.daemon.auth;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether a peer may stay connected: not revoked by any of the CRLs or the deny list, every certificate of its
 * chain valid now, an unambiguous subject (at most one CN), and on the connection allow list. Run after every
 * handshake, full or resumed (JSSE checks neither validity nor trust on a resumed session, so an expired
 * certificate would otherwise live on through tickets), and whenever policy changes; per-command checks use
 * each command's own list.
 *
 * @param crls the CRLs of this generation, each verified against the CA that issued it; a certificate
 *     revoked by any of them is refused
 * @param denyList read on every check, so a revocation made through the admin socket applies at once
 * @param clock what "now" is for {@link #refusal(Identity, List)}
 * @param trust this generation's {@code [clients] ca}: not part of {@link #refusal} (the handshake checked it,
 *     and a path validation per request would cost too much); see {@link #untrusted}
 */
public record AccessPolicy(AllowList connectAllow, List<X509CRL> crls, Supplier<DenyList> denyList, Clock clock,
                           ChainTrust trust) {
  public AccessPolicy {
    crls = crls == null ? List.of() : List.copyOf(crls);
  }

  /** A policy that trusts no CA (tests of the other rules). */
  public AccessPolicy(AllowList connectAllow, List<X509CRL> crls, Supplier<DenyList> denyList, Clock clock) {
    this(connectAllow, crls, denyList, clock, ChainTrust.of(List.of()));
  }

  /** A policy on the system clock that trusts no CA (tests of the other rules). */
  public AccessPolicy(AllowList connectAllow, List<X509CRL> crls, Supplier<DenyList> denyList) {
    this(connectAllow, crls, denyList, Clock.systemUTC());
  }

  /**
   * Returns why {@code chain} no longer leads to this generation's {@code [clients] ca}, or empty when it
   * does or there is no chain (an anonymous client). A full path validation: callers that ask per request
   * remember the {@link #trust} it passed.
   */
  public Optional<String> untrusted(List<X509Certificate> chain) {
    return chain.isEmpty() ? Optional.empty() : trust.refusal(chain, clock.instant());
  }

  /** Returns why {@code identity} may not connect now (by this policy's clock), or empty when it may. */
  public Optional<String> refusal(Identity identity, List<X509Certificate> chain) {
    return refusal(identity, chain, clock.instant());
  }

  /**
   * Returns why {@code identity}, which presented {@code chain} (leaf first; empty for anonymous clients), may
   * not connect at {@code now}, or empty when it may.
   */
  public Optional<String> refusal(Identity identity, List<X509Certificate> chain, Instant now) {
    for (X509CRL crl : crls) {
      for (X509Certificate c : chain) {
        if (crl.isRevoked(c)) return Optional.of("certificate revoked (CRL)");
      }
    }
    if (denyList.get().denies(identity)) return Optional.of("revoked by the operator");
    Optional<String> invalid = validity(chain, now);
    if (invalid.isPresent()) return invalid;
    // the identity is the leaf's (Identity.of), its subject parsed once per connection, not per check
    if (!chain.isEmpty() && identity.subjectProblem().isPresent()) return identity.subjectProblem();
    if (!connectAllow.allows(identity)) {
      return Optional.of(identity.isAnonymous() ? "a client certificate is required" : "identity not allowed to connect");
    }
    return Optional.empty();
  }

  private static Optional<String> validity(List<X509Certificate> chain, Instant now) {
    Date at = Date.from(now);
    for (int i = 0; i < chain.size(); i++) {
      String which = i == 0 ? "certificate" : "CA certificate in the chain";
      try {
        chain.get(i).checkValidity(at);
      } catch (CertificateExpiredException e) {
        return Optional.of(which + " expired");
      } catch (CertificateNotYetValidException e) {
        return Optional.of(which + " not yet valid");
      }
    }
    return Optional.empty();
  }
}
