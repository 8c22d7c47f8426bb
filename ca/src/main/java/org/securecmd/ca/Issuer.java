package org.securecmd.ca;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds certificates and CRLs with BouncyCastle: X.509 v3 with subject and authority key ids, critical
 * basic constraints and key usage, as {@code openssl verify} expects. Serials are 127 random bits, so two
 * hosts issuing with the same CA cannot realistically collide. A CA key in a PKCS#11 token works too: the
 * signature is made by whichever installed provider accepts the key.
 */
public final class Issuer {
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * The non-critical extension that marks a certificate whose key was certified (TPM2_Certify) to have been made
   * inside a TPM whose EK chained to the server's {@code [attestation] ek_ca}, and cannot leave it: the OID
   * 2.25.&lt;UUID 1ca92614-00b2-4cdf-9fc9-1bca421cf57d as an integer&gt; (ITU-T X.667: an OID under the UUID arc
   * needs no registration), value an ASN.1 NULL. docs/protocol.md documents it.
   */
  public static final String TPM_ATTESTED_KEY_OID = "2.25.38096654367413771180172908435135591805";

  /** Back-dating absorbs device clocks that run a little behind. */
  public static final Duration BACKDATE = Duration.ofMinutes(5);

  private Issuer() {}

  /** A new key pair: {@code ec} is P-256 (secp256r1), {@code rsa} RSA-4096. */
  public static KeyPair newKeyPair(String type) throws GeneralSecurityException {
    if (type.equals("rsa")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(4096);
      return g.generateKeyPair();
    }
    if (!type.equals("ec")) throw new GeneralSecurityException("key type must be ec or rsa: " + type);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  public static BigInteger newSerial() {
    BigInteger s;
    do {
      s = new BigInteger(127, RANDOM);
    } while (s.signum() == 0);
    return s;
  }

  public static X509Certificate selfSignedCa(KeyPair kp, String commonName, Duration validity) throws GeneralSecurityException {
    X500Name name = name(commonName);
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, newSerial(), Date.from(now.minus(BACKDATE)),
        Date.from(now.plus(validity)), name, kp.getPublic());
    try {
      JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(kp.getPublic()));
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return sign(b, kp.getPrivate());
  }

  /** An end-entity certificate for {@code subjectKey}; {@code purpose} is serverAuth or clientAuth. */
  public static X509Certificate leaf(X509Certificate ca, PrivateKey caKey, BigInteger serial, String commonName,
                              List<GeneralName> sans, PublicKey subjectKey, KeyPurposeId purpose, Duration validity)
      throws GeneralSecurityException {
    X509v3CertificateBuilder b = endEntity(ca, serial, Instant.now(), validity, commonName, subjectKey, purpose);
    try {
      if (!sans.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
      }
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return sign(b, caKey);
  }

  /**
   * The part {@link #leaf} and {@link #attestedLeaf} share: subject {@code CN=commonName}, valid from {@code now}
   * minus {@link #BACKDATE} for {@code validity} (at most until the CA itself expires); CA:false,
   * digitalSignature (and keyEncipherment for RSA), {@code purpose}, and the key identifiers, in that order.
   */
  private static X509v3CertificateBuilder endEntity(X509Certificate ca, BigInteger serial, Instant now,
      Duration validity, String commonName, PublicKey subjectKey, KeyPurposeId purpose) throws GeneralSecurityException {
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(ca.getNotAfter().toInstant())) notAfter = ca.getNotAfter().toInstant();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial, Date.from(now.minus(BACKDATE)),
        Date.from(notAfter), name(commonName), subjectKey);
    try {
      JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      int usage = KeyUsage.digitalSignature | (subjectKey.getAlgorithm().equals("RSA") ? KeyUsage.keyEncipherment : 0);
      b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(subjectKey));
      b.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(ca));
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return b;
  }

  /**
   * An issuing CA certificate for {@code subjectKey}, signed by {@code root}: CA:true with path length 0
   * (it issues only end-entity certificates), keyCertSign and cRLSign.
   */
  public static X509Certificate intermediateCa(X509Certificate root, PrivateKey rootKey, PublicKey subjectKey,
                                               String commonName, Duration validity) throws GeneralSecurityException {
    Instant now = Instant.now();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(root.getNotAfter().toInstant())) notAfter = root.getNotAfter().toInstant();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(root, newSerial(), Date.from(now.minus(BACKDATE)),
        Date.from(notAfter), name(commonName), subjectKey);
    try {
      JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(subjectKey));
      b.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(root));
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return sign(b, rootKey);
  }

  /**
   * The successor of {@code current} for {@code newKey}: the same subject DN, the same subjectAltName and
   * extendedKeyUsage extensions byte for byte (a device cannot rename itself or widen what it may do), a
   * new random serial, valid for {@code lifetime} in all (notAfter − notBefore; never past the CA's own
   * expiry), from {@code now} minus {@link #BACKDATE} (minus a quarter of the lifetime when that is shorter,
   * so a short lifetime is not spent on back-dating).
   */
  public static X509Certificate successor(X509Certificate ca, PrivateKey caKey, BigInteger serial,
                                          X509Certificate current, PublicKey newKey, Instant now, Duration lifetime)
      throws GeneralSecurityException {
    Duration backdate = lifetime.dividedBy(4).compareTo(BACKDATE) < 0 ? lifetime.dividedBy(4) : BACKDATE;
    // whole seconds, as X.509 encodes them: the encoded lifetime is then exactly the one asked for
    Instant notBefore = now.minus(backdate).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant notAfter = notBefore.plus(lifetime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    if (notAfter.isAfter(ca.getNotAfter().toInstant())) notAfter = ca.getNotAfter().toInstant();
    X500Name subject = X500Name.getInstance(current.getSubjectX500Principal().getEncoded());
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial, Date.from(notBefore),
        Date.from(notAfter), subject, newKey);
    try {
      JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      int usage = KeyUsage.digitalSignature | (newKey.getAlgorithm().equals("RSA") ? KeyUsage.keyEncipherment : 0);
      b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      copy(b, current, Extension.extendedKeyUsage);
      copy(b, current, Extension.subjectAlternativeName);
      // an attested key stays attested: the caller checked that the new key is the same or certified anew
      copy(b, current, new org.bouncycastle.asn1.ASN1ObjectIdentifier(TPM_ATTESTED_KEY_OID));
      b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(newKey));
      b.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(ca));
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return sign(b, caKey);
  }

  /**
   * A client certificate for a TPM-attested key: subject {@code CN=commonName} and nothing else, clientAuth,
   * the {@link #TPM_ATTESTED_KEY_OID} extension, valid from {@code now} minus {@link #BACKDATE} for
   * {@code validity} (at most until the CA itself expires).
   */
  public static X509Certificate attestedLeaf(X509Certificate ca, PrivateKey caKey, BigInteger serial,
                                             String commonName, PublicKey subjectKey, Instant now, Duration validity)
      throws GeneralSecurityException {
    X509v3CertificateBuilder b = endEntity(ca, serial, now, validity, commonName, subjectKey,
        KeyPurposeId.id_kp_clientAuth);
    try {
      b.addExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier(TPM_ATTESTED_KEY_OID), false,
          org.bouncycastle.asn1.DERNull.INSTANCE);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return sign(b, caKey);
  }

  /** Whether {@code c} carries the {@link #TPM_ATTESTED_KEY_OID} extension. */
  public static boolean isTpmAttested(X509Certificate c) {
    return c.getExtensionValue(TPM_ATTESTED_KEY_OID) != null;
  }

  private static void copy(X509v3CertificateBuilder b, X509Certificate from, org.bouncycastle.asn1.ASN1ObjectIdentifier oid)
      throws IOException {
    byte[] wrapped = from.getExtensionValue(oid.getId());
    if (wrapped == null) return;
    byte[] value = org.bouncycastle.asn1.ASN1OctetString.getInstance(wrapped).getOctets();
    b.addExtension(oid, from.getCriticalExtensionOIDs() != null && from.getCriticalExtensionOIDs().contains(oid.getId()),
        value);
  }

  public static X509CRL crl(X509Certificate ca, PrivateKey caKey, List<Index.Entry> revoked, Duration nextUpdate)
      throws GeneralSecurityException {
    Instant now = Instant.now();
    X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
        Date.from(now));
    b.setNextUpdate(Date.from(now.plus(nextUpdate)));
    for (Index.Entry e : revoked) b.addCRLEntry(e.serial(), Date.from(e.revokedAt()), reasonCode(e.reason()));
    try {
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(now.toEpochMilli())));
      b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
      return new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder(algorithm(caKey)).build(caKey)));
    } catch (IOException | OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** The CRL reasons {@code revoke --reason} accepts. */
  public static final List<String> REASONS = List.of("unspecified", "keyCompromise", "affiliationChanged", "superseded",
      "cessationOfOperation");

  private static int reasonCode(String reason) {
    return switch (reason) {
      case "keyCompromise" -> CRLReason.keyCompromise;
      case "affiliationChanged" -> CRLReason.affiliationChanged;
      case "superseded" -> CRLReason.superseded;
      case "cessationOfOperation" -> CRLReason.cessationOfOperation;
      default -> CRLReason.unspecified;
    };
  }

  public static X500Name name(String commonName) {
    return new X500Name(new org.bouncycastle.asn1.x500.RDN[] {new org.bouncycastle.asn1.x500.RDN(
        org.bouncycastle.asn1.x500.style.BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(commonName))});
  }

  public static String algorithm(PrivateKey key) {
    return key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(algorithm(key)).build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }
}
