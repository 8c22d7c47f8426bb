package org.securecmd.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.securecmd.ca.Index;
import org.securecmd.ca.Issuer;
import org.securecmd.ca.OutputFiles;
import org.securecmd.tls.Pem;

/**
 * A CA on disk: {@code ca.key} (PKCS#8 PEM, mode 0600), {@code ca.crt} (the certificate daemons use as
 * {@code [clients] ca} and devices as {@code server_ca.pem}) and {@code index.txt} ({@link Index}).
 *
 * <pre>{@code
 * CaDirectory ca = CaDirectory.create(dir, "Fleet CA", "ec", Duration.ofDays(3650));
 * X509Certificate device = ca.signDevice(DeviceRequest.read(csr, null), Duration.ofDays(365));
 * }</pre>
 */
public final class CaDirectory {
  /** The URI SAN put in device certificates before the device id. */
  public static final String DEVICE_URI_PREFIX = "urn:securecmd:device:";
  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Index index;

  private CaDirectory(X509Certificate certificate, PrivateKey key, Index index) {
    this.certificate = certificate;
    this.key = key;
    this.index = index;
  }

  /** Creates the directory's CA; refuses if it already holds one. */
  public static CaDirectory create(Path dir, String commonName, String keyType, Duration validity)
      throws IOException, GeneralSecurityException {
    if (!Files.exists(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
    if (Files.exists(dir.resolve("ca.key")) || Files.exists(dir.resolve("ca.crt"))) {
      throw new IOException(dir + " already holds a CA (ca.key or ca.crt); not overwriting it");
    }
    KeyPair kp = Issuer.newKeyPair(keyType);
    X509Certificate cert = Issuer.selfSignedCa(kp, commonName, validity);
    OutputFiles.writeSecret(dir.resolve("ca.key"), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
    OutputFiles.writeAtomically(dir.resolve("ca.crt"), pem("CERTIFICATE", cert.getEncoded()));
    return new CaDirectory(cert, kp.getPrivate(), new Index(dir.resolve("index.txt")));
  }

  /**
   * Creates an issuing CA in {@code dir}, signed by this (root) CA: its own key (mode 0600), {@code ca.crt}
   * holding the issuing certificate then this CA's, and an empty index. This CA's key stays where it is;
   * {@code dir} is what daemon hosts get for {@code [enrollment]}. Refuses if {@code dir} already holds a CA.
   */
  public CaDirectory createIntermediate(Path dir, String commonName, String keyType, Duration validity)
      throws IOException, GeneralSecurityException {
    if (!Files.exists(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
    if (Files.exists(dir.resolve("ca.key")) || Files.exists(dir.resolve("ca.crt"))) {
      throw new IOException(dir + " already holds a CA (ca.key or ca.crt); not overwriting it");
    }
    KeyPair kp = Issuer.newKeyPair(keyType);
    X509Certificate cert = Issuer.intermediateCa(certificate, key, kp.getPublic(), commonName, validity);
    index.issued(cert.getSerialNumber(), cert.getNotAfter().toInstant(), "ca", commonName,
        cert.getSubjectX500Principal().getName());
    OutputFiles.writeSecret(dir.resolve("ca.key"), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
    byte[] chain = concat(pem("CERTIFICATE", cert.getEncoded()), pem("CERTIFICATE", certificate.getEncoded()));
    OutputFiles.writeAtomically(dir.resolve("ca.crt"), chain);
    return new CaDirectory(cert, kp.getPrivate(), new Index(dir.resolve("index.txt")));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  public static CaDirectory open(Path dir) throws IOException, GeneralSecurityException {
    List<X509Certificate> certs = Pem.readCertificates(dir.resolve("ca.crt"));
    PrivateKey key = Pem.readPrivateKey(dir.resolve("ca.key"));
    return new CaDirectory(certs.get(0), key, new Index(dir.resolve("index.txt")));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public Index index() {
    return index;
  }

  /** A server certificate (EKU serverAuth) for a new P-256 key; the key is returned with it. */
  public Issued issueServer(String commonName, List<String> ips, List<String> dnsNames, Duration validity)
      throws IOException, GeneralSecurityException {
    List<GeneralName> sans = new ArrayList<>();
    for (String ip : ips) sans.add(new GeneralName(GeneralName.iPAddress, ip));
    for (String dns : dnsNames) sans.add(new GeneralName(GeneralName.dNSName, dns));
    KeyPair kp = Issuer.newKeyPair("ec");
    BigInteger serial = Issuer.newSerial();
    X509Certificate cert = Issuer.leaf(certificate, key, serial, commonName, sans, kp.getPublic(),
        KeyPurposeId.id_kp_serverAuth, validity);
    index.issued(serial, cert.getNotAfter().toInstant(), "server", commonName,
        cert.getSubjectX500Principal().getName());
    return new Issued(cert, kp);
  }

  /** A certificate and the key pair it was made for. */
  public record Issued(X509Certificate certificate, KeyPair keyPair) {}

  /** A device certificate: EKU clientAuth, CN and URI SAN {@code urn:securecmd:device:ID}. */
  public X509Certificate signDevice(DeviceRequest request, Duration validity) throws IOException, GeneralSecurityException {
    BigInteger serial = Issuer.newSerial();
    X509Certificate cert = Issuer.leaf(certificate, key, serial, request.deviceId(),
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, DEVICE_URI_PREFIX + request.deviceId())),
        request.publicKey(), KeyPurposeId.id_kp_clientAuth, validity);
    index.issued(serial, cert.getNotAfter().toInstant(), "device", request.deviceId(),
        cert.getSubjectX500Principal().getName());
    return cert;
  }

  /**
   * Revokes every unrevoked certificate whose serial (hex) or name equals {@code serialOrName}; returns them.
   * Nothing matching is an error, so a typo does not look like success.
   */
  public List<Index.Entry> revoke(String serialOrName, String reason) throws IOException {
    if (!Issuer.REASONS.contains(reason)) throw new IOException("reason must be one of " + Issuer.REASONS + ": " + reason);
    List<Index.Entry> hits = new ArrayList<>();
    for (Index.Entry e : index.entries()) {
      if (e.revoked()) continue;
      if (e.name().equals(serialOrName) || e.serial().toString(16).equalsIgnoreCase(serialOrName)) hits.add(e);
    }
    if (hits.isEmpty()) throw new IOException("no unrevoked certificate with serial or name " + serialOrName);
    Instant now = Instant.now();
    for (Index.Entry e : hits) index.revoked(e.serial(), now, reason);
    return hits;
  }

  /** A CRL of every revoked certificate, valid for {@code nextUpdate}. */
  public X509CRL crl(Duration nextUpdate) throws IOException, GeneralSecurityException {
    List<Index.Entry> revoked = index.entries().stream().filter(Index.Entry::revoked).toList();
    return Issuer.crl(certificate, key, revoked, nextUpdate);
  }

  public static byte[] pem(String label, byte[] der) {
    String body = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n").getBytes(StandardCharsets.US_ASCII);
  }
}
