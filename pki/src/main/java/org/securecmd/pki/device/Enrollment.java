package org.securecmd.pki.device;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.Pkcs11Token;

/**
 * Enrolls a device key that never leaves its token.
 *
 * <pre>{@code
 * PKCS10CertificationRequest csr = Enrollment.createKeyAndCsr(token, "device", "device-0042");
 * // ... the CA signs it ...
 * Enrollment.installCertificate(token, "device", List.of(issued));
 * }</pre>
 *
 * SunPKCS11 only shows a private key that has a certificate with the same CKA_ID, so the new key is
 * stored at once with a self-signed placeholder (CN {@code ID}, O {@code securecmd pending enrollment});
 * {@link #installCertificate} replaces it with the issued certificate. The server never trusts the placeholder.
 */
public final class Enrollment {
  private Enrollment() {}

  /** Generates a P-256 key in the token under {@code label} and returns a CSR for {@code deviceId} signed in the token. */
  public static PKCS10CertificationRequest createKeyAndCsr(Pkcs11Token token, String label, String deviceId)
      throws GeneralSecurityException {
    if (token.keyLabels().contains(label)) {
      throw new GeneralSecurityException("the token already has a key labelled \"" + label
          + "\"; refusing to replace a device identity (choose another --pkcs11-key or delete it with pkcs11-tool)");
    }
    KeyPair kp = token.generateKeyPair("secp256r1");
    ContentSigner signer = signer(token, kp.getPrivate());
    Instant now = Instant.now();
    X500Name placeholder = new X500Name("CN=" + deviceId + ",O=securecmd pending enrollment");
    X509Certificate self;
    try {
      self = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(placeholder,
          BigInteger.ONE, Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(3650))),
          placeholder, kp.getPublic()).build(signer));
    } catch (RuntimeException e) {
      throw new GeneralSecurityException("cannot sign in the token: " + e.getMessage(), e);
    }
    token.installCertificate(label, kp.getPrivate(), List.of(self));
    return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + deviceId), kp.getPublic())
        .build(signer(token, kp.getPrivate()));
  }

  /** Replaces the placeholder of {@code label} by {@code chain} (leaf first) after checking the leaf is for that key. */
  public static void installCertificate(Pkcs11Token token, String label, List<X509Certificate> chain)
      throws GeneralSecurityException {
    CertifiedKey current = token.certifiedKey(label);
    if (!current.leaf().getPublicKey().equals(chain.get(0).getPublicKey())) {
      throw new GeneralSecurityException("the certificate " + chain.get(0).getSubjectX500Principal().getName()
          + " is not for the key labelled \"" + label + "\" (different public key)");
    }
    token.installCertificate(label, current.privateKey(), chain);
  }

  private static ContentSigner signer(Pkcs11Token token, PrivateKey key) throws GeneralSecurityException {
    try {
      return new JcaContentSignerBuilder("SHA256withECDSA").setProvider(token.provider()).build(key);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with the token key: " + e.getMessage(), e);
    }
  }
}
