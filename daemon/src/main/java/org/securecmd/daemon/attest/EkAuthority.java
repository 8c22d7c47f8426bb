package org.securecmd.daemon.attest;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.securecmd.tls.Pem;
import org.securecmd.daemon.attest.AttestationException.Check;

/**
 * The TPM manufacturers' EK CAs ({@code [attestation] ek_ca}): decides whether an EK certificate comes from
 * a TPM the operator trusts.
 *
 * <pre>{@code
 * EkAuthority cas = EkAuthority.parse(Files.readString(ekCaFile));
 * VerifiedEk ek = cas.verify(ekCertDer, Instant.now());   // AttestationException FORBIDDEN if unknown
 * }</pre>
 *
 * <p>Self-signed certificates in the bundle are the trust anchors; the others serve as intermediates, since a
 * device sends its EK certificate alone. The path is validated with the JDK's PKIX at the given time,
 * without revocation checks (EK CAs publish CRLs inconsistently and a TPM's EK is not revoked in practice).
 * EK certificates carry an empty subject with a critical directoryName SAN and the EKU 2.23.133.8.1
 * (TCG EK Credential Profile): both are accepted; an EKU without 2.23.133.8.1 is refused.
 */
public final class EkAuthority {
  static final String EK_CERTIFICATE_EKU = "2.23.133.8.1";
  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> intermediates;

  private EkAuthority(Set<TrustAnchor> anchors, List<X509Certificate> intermediates) {
    this.anchors = anchors;
    this.intermediates = intermediates;
  }

  /** From a PEM bundle of roots and intermediates; it must hold at least one self-signed root. */
  public static EkAuthority parse(String pem) throws GeneralSecurityException {
    return of(Pem.parseCertificates(pem));
  }

  public static EkAuthority of(List<X509Certificate> bundle) {
    Set<TrustAnchor> anchors = new HashSet<>();
    List<X509Certificate> intermediates = new ArrayList<>();
    for (X509Certificate c : bundle) {
      if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
        anchors.add(new TrustAnchor(c, null));
      } else {
        intermediates.add(c);
      }
    }
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException(
          "the EK CA bundle has no self-signed root (" + bundle.size() + " certificates)");
    }
    return new EkAuthority(Set.copyOf(anchors), List.copyOf(intermediates));
  }

  /** The EK certificate (DER) if it chains to a root of the bundle at {@code at}. */
  public VerifiedEk verify(byte[] der, Instant at) throws AttestationException {
    X509Certificate cert;
    try {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw AttestationException.failed(Check.EK_CERTIFICATE, "EK certificate is not a DER X.509 certificate");
    }
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(cert);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      List<X509Certificate> store = new ArrayList<>(intermediates);
      store.add(cert);
      params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(at));
      CertPathBuilder.getInstance("PKIX").build(params);
    } catch (GeneralSecurityException e) {
      throw AttestationException.failed(Check.EK_CA,
          "EK certificate does not chain to ek_ca (issuer " + cert.getIssuerX500Principal().getName() + ")");
    }
    checkPurpose(cert);
    return new VerifiedEk(cert);
  }

  /** An EKU, when present, must allow the EK certificate purpose (or any purpose). */
  private static void checkPurpose(X509Certificate cert) throws AttestationException {
    try {
      List<String> eku = cert.getExtendedKeyUsage();
      if (eku != null && !eku.contains(EK_CERTIFICATE_EKU) && !eku.contains("2.5.29.37.0")) {
        throw AttestationException.failed(Check.EK_CERTIFICATE,
            "EK certificate's extended key usage lacks " + EK_CERTIFICATE_EKU);
      }
    } catch (java.security.cert.CertificateParsingException e) {
      throw AttestationException.failed(Check.EK_CERTIFICATE, "EK certificate's extended key usage does not parse");
    }
  }
}
