package org.securecmd.daemon.auth;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Whether a peer's chain leads to one of {@code [clients] ca} (a PKIX path, revocation left to
 * {@link AccessPolicy}). The handshake checks this only against the trust anchors of the generation it ran
 * under; a connection held over a reload that removed its CA must be checked again, and {@code RENEW} must
 * never turn a certificate of a removed CA into one of the enrollment CA. One instance per set of anchors:
 * a connection remembers the instance it passed (the identity of this object), so it is validated once per
 * reload, not per request. No anchors trusts nobody.
 */
public final class ChainTrust {
  public static final String REFUSAL = "certificate not issued by a CA of [clients] ca";
  private final Set<TrustAnchor> anchors = new HashSet<>();
  private final Set<X509Certificate> anchorCertificates;
  private final Set<X500Principal> anchorNames = new HashSet<>();

  private ChainTrust(List<X509Certificate> cas) {
    anchorCertificates = Set.copyOf(cas);
    for (X509Certificate c : cas) {
      anchors.add(new TrustAnchor(c, null));
      anchorNames.add(c.getSubjectX500Principal());
    }
  }

  /** The anchors of one generation's {@code [clients] ca}. */
  public static ChainTrust of(List<X509Certificate> clientCas) {
    return new ChainTrust(clientCas);
  }

  /**
   * Whether every anchor of {@code earlier} is one of these too: a chain that led to {@code earlier} then
   * still leads here (validity and revocation are checked apart), so a reload that keeps or adds CAs costs
   * the open connections no path validation.
   */
  public boolean keepsEveryAnchorOf(ChainTrust earlier) {
    return earlier != null && anchorCertificates.containsAll(earlier.anchorCertificates);
  }

  /**
   * Returns why {@code chain} (leaf first, as the peer sent it) does not lead to one of the anchors at
   * {@code now}, or empty when it does. The peer may send more than the path (up to its own root when an
   * intermediate is the anchor): each prefix that ends below an anchor's name is tried.
   */
  public Optional<String> refusal(List<X509Certificate> chain, Instant now) {
    if (chain.isEmpty() || anchors.isEmpty()) return Optional.of(REFUSAL);
    if (anchorCertificates.contains(chain.get(0))) return Optional.empty();
    for (int k = 1; k <= chain.size(); k++) {
      if (anchorNames.contains(chain.get(k - 1).getIssuerX500Principal()) && valid(chain.subList(0, k), now)) {
        return Optional.empty();
      }
    }
    return Optional.of(REFUSAL);
  }

  private boolean valid(List<X509Certificate> path, Instant now) {
    try {
      PKIXParameters p = new PKIXParameters(anchors);
      p.setRevocationEnabled(false); // the CRLs and the deny list are AccessPolicy's
      p.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), p);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
