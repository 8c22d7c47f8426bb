package org.securecmd.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test PKI built in memory at test time: root → intermediate → leaves, with CN, SANs, validity and
 * revocation (CRL) under the test's control. Nothing is ever written to the repository.
 *
 * <pre>{@code
 * TestPki pki = new TestPki("Fleet");
 * TestPki.Issued server = pki.issue(TestPki.spec("127.0.0.1").ip("127.0.0.1").serverAuth());
 * TestPki.Issued device = pki.issue(TestPki.spec("device-1").clientAuth());
 * }</pre>
 */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final AtomicLong serials = new AtomicLong(1000);
  private final Issued root;
  private final Issued intermediate;

  public TestPki(String name) {
    try {
      root = selfSigned(name + " Root CA");
      intermediate = sign(root, spec(name + " Intermediate CA").ca());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate, its key, and its chain up to (not including) the root. */
  public record Issued(KeyPair keyPair, List<X509Certificate> chain) {
    public X509Certificate certificate() {
      return chain.get(0);
    }

    public CertifiedKey certifiedKey() {
      return new CertifiedKey(keyPair.getPrivate(), chain);
    }

    /** Writes {@code name.crt} (chain) and {@code name.key} (PKCS#8, mode 0600); returns the two paths. */
    public Path[] write(Path dir, String name) throws IOException {
      Path crt = dir.resolve(name + ".crt");
      Path key = dir.resolve(name + ".key");
      StringBuilder pem = new StringBuilder();
      for (X509Certificate c : chain) pem.append(pem("CERTIFICATE", encoded(c)));
      Files.writeString(crt, pem);
      Files.deleteIfExists(key);
      Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(key, pem("PRIVATE KEY", keyPair.getPrivate().getEncoded()));
      return new Path[] {crt, key};
    }
  }

  /** What to put in a certificate. */
  public static final class Spec {
    final String commonName;
    final List<GeneralName> sans = new ArrayList<>();
    Instant notBefore = Instant.now().minus(Duration.ofMinutes(5));
    Instant notAfter = Instant.now().plus(Duration.ofDays(30));
    boolean ca;
    KeyPurposeId purpose;
    boolean rsa;
    boolean fromRoot;

    Spec(String commonName) {
      this.commonName = commonName;
    }

    public Spec ip(String address) {
      sans.add(new GeneralName(GeneralName.iPAddress, address));
      return this;
    }

    public Spec dns(String name) {
      sans.add(new GeneralName(GeneralName.dNSName, name));
      return this;
    }

    public Spec uri(String uri) {
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
      return this;
    }

    public Spec validity(Instant from, Instant to) {
      notBefore = from;
      notAfter = to;
      return this;
    }

    public Spec serverAuth() {
      purpose = KeyPurposeId.id_kp_serverAuth;
      return this;
    }

    public Spec clientAuth() {
      purpose = KeyPurposeId.id_kp_clientAuth;
      return this;
    }

    public Spec rsa() {
      rsa = true;
      return this;
    }

    /** Signed by the root instead of the intermediate (a chain of one). */
    public Spec fromRoot() {
      fromRoot = true;
      return this;
    }

    Spec ca() {
      ca = true;
      return this;
    }
  }

  public static Spec spec(String commonName) {
    return new Spec(commonName);
  }

  public Issued issue(Spec spec) {
    try {
      return sign(spec.fromRoot ? root : intermediate, spec);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public X509Certificate rootCertificate() {
    return root.certificate();
  }

  public Issued intermediate() {
    return intermediate;
  }

  /** Writes the root certificate as PEM to {@code file}. */
  public Path writeRoot(Path file) throws IOException {
    Files.writeString(file, pem("CERTIFICATE", encoded(root.certificate())));
    return file;
  }

  /** A CRL from the intermediate revoking {@code revoked}. */
  public X509CRL crl(Issued... revoked) {
    return crl(Instant.now().plus(Duration.ofDays(7)), revoked);
  }

  /** A CRL from the intermediate revoking {@code revoked}, with the given nextUpdate. */
  public X509CRL crl(Instant nextUpdate, Issued... revoked) {
    try {
      Instant now = Instant.now();
      X509v2CRLBuilder b = new X509v2CRLBuilder(
          X500Name.getInstance(intermediate.certificate().getSubjectX500Principal().getEncoded()),
          Date.from(now.minusSeconds(60)));
      b.setNextUpdate(Date.from(nextUpdate));
      for (Issued r : revoked) b.addCRLEntry(r.certificate().getSerialNumber(), Date.from(now.minusSeconds(30)), CRLReason.keyCompromise);
      X509CRLHolder holder = b.build(signer(intermediate));
      return new JcaX509CRLConverter().getCRL(holder);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  private Issued selfSigned(String cn) throws GeneralSecurityException {
    KeyPair kp = keyPair(false);
    X500Name name = new X500Name("CN=" + cn);
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serials.incrementAndGet()),
        Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(3650))),
        name, kp.getPublic());
    caExtensions(b);
    X509Certificate cert = build(b, kp);
    return new Issued(kp, List.of(cert));
  }

  private Issued sign(Issued issuer, Spec spec) throws GeneralSecurityException {
    KeyPair kp = keyPair(spec.rsa);
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer.certificate(),
        BigInteger.valueOf(serials.incrementAndGet()).shiftLeft(16).or(BigInteger.valueOf(RANDOM.nextInt(1 << 16))),
        Date.from(spec.notBefore), Date.from(spec.notAfter), new X500Name("CN=" + spec.commonName), kp.getPublic());
    try {
      if (spec.ca) {
        caExtensions(b);
      } else {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (spec.purpose != null) b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(spec.purpose));
        if (!spec.sans.isEmpty()) {
          b.addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(spec.sans.toArray(new GeneralName[0])));
        }
      }
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    X509Certificate cert = build(b, issuer.keyPair());
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(cert);
    if (issuer != root) chain.addAll(issuer.chain());
    return new Issued(kp, List.copyOf(chain));
  }

  private static void caExtensions(X509v3CertificateBuilder b) throws GeneralSecurityException {
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static X509Certificate build(X509v3CertificateBuilder b, KeyPair signerKey) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(b.build(signer(signerKey)));
  }

  private static ContentSigner signer(Issued issuer) throws GeneralSecurityException {
    return signer(issuer.keyPair());
  }

  private static ContentSigner signer(KeyPair kp) throws GeneralSecurityException {
    try {
      String alg = kp.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      return new JcaContentSignerBuilder(alg).build(kp.getPrivate());
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair(boolean rsa) throws GeneralSecurityException {
    if (rsa) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
