package org.securecmd.daemon.enroll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.EnrollmentSettings;
import org.securecmd.daemon.config.Origins;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.Pem;
import org.securecmd.tls.Pkcs11Token;

/**
 * The issuing CA of {@code [enrollment]}, loaded and checked: the key belongs to the certificate, is not
 * readable by all users, the certificate is a CA that is valid now, and it is one of {@code [clients] ca} or
 * signed by one of them (else devices could not connect with what it issues).
 *
 * @param chain the CA certificate first, then the rest of the file (sent to devices after their leaf)
 */
public record EnrollmentCa(List<X509Certificate> chain, PrivateKey key) {
  public EnrollmentCa {
    chain = List.copyOf(chain);
  }

  public X509Certificate certificate() {
    return chain.get(0);
  }

  /**
   * What ENROLL-PROOF and RENEW send back: {@code leaf}, then this chain without its self-signed root, each
   * base64 DER, separated by spaces.
   */
  String replyChain(X509Certificate leaf) throws CertificateEncodingException {
    StringBuilder b = new StringBuilder(base64(leaf));
    for (X509Certificate c : chain) {
      if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) b.append(' ').append(base64(c));
    }
    return b.toString();
  }

  private static String base64(X509Certificate c) throws CertificateEncodingException {
    return Base64.getEncoder().encodeToString(c.getEncoded());
  }

  public static EnrollmentCa load(EnrollmentSettings s, Origins o, List<X509Certificate> clientCas, Instant now)
      throws ConfigException {
    List<X509Certificate> chain;
    try {
      chain = Pem.readCertificates(s.caCertificate());
    } catch (IOException | GeneralSecurityException e) {
      throw o.error("enrollment", "ca_certificate", s.caCertificate(), "cannot read: " + e.getMessage());
    }
    X509Certificate ca = chain.get(0);
    if (ca.getBasicConstraints() < 0) {
      throw o.error("enrollment", "ca_certificate", s.caCertificate(), "is not a CA certificate (basicConstraints CA:FALSE)");
    }
    if (ca.getNotAfter().toInstant().isBefore(now) || ca.getNotBefore().toInstant().isAfter(now)) {
      throw o.error("enrollment", "ca_certificate", s.caCertificate(), "is not valid now (valid "
          + ca.getNotBefore().toInstant() + " to " + ca.getNotAfter().toInstant() + ")");
    }
    if (!trusted(ca, clientCas)) {
      throw o.error("enrollment", "ca_certificate", s.caCertificate(), "is neither one of [clients] ca nor issued by one"
          + " of them, so devices could not connect with the certificates it issues");
    }
    if (s.tokenKey().isPresent()) return fromToken(s.tokenKey().get(), s, o, chain);
    Path keyFile = s.caKey().orElseThrow();
    checkKeyPermissions(o, keyFile);
    try {
      PrivateKey key = Pem.readPrivateKey(keyFile);
      if (!new CertifiedKey(key, chain).keyMatchesLeaf()) {
        throw o.error("enrollment", "ca_key", keyFile, "does not match the certificate in " + s.caCertificate());
      }
      return new EnrollmentCa(chain, key);
    } catch (IOException | GeneralSecurityException e) {
      throw o.error("enrollment", "ca_key", keyFile, "cannot read: " + e.getMessage());
    }
  }

  /**
   * The CA key from a PKCS#11 token. Each load opens the token again (a reload picks up a new PIN or key);
   * SunPKCS11 adds one provider per open.
   */
  private static EnrollmentCa fromToken(EnrollmentSettings.TokenKey t, EnrollmentSettings s, Origins o,
      List<X509Certificate> chain) throws ConfigException {
    char[] pin;
    try {
      String text = Files.readString(t.pinFile());
      int nl = text.indexOf('\n');
      pin = (nl < 0 ? text : text.substring(0, nl)).strip().toCharArray();
    } catch (IOException e) {
      throw o.error("enrollment", "ca_key_pin_file", t.pinFile(), "cannot read: " + e.getMessage());
    }
    try {
      Pkcs11Token token = Pkcs11Token.open(new Pkcs11Token.Settings(t.module(), t.tokenLabel(), -1, -1), pin);
      PrivateKey key = token.certifiedKey(t.keyLabel()).privateKey();
      if (!new CertifiedKey(key, chain).keyMatchesLeaf()) {
        throw o.error("enrollment", "ca_key_label", t.keyLabel(), "the token key does not match the certificate in "
            + s.caCertificate());
      }
      return new EnrollmentCa(chain, key);
    } catch (GeneralSecurityException e) {
      throw o.error("enrollment", "ca_key_pkcs11_module", t.module(), e.getMessage());
    } finally {
      java.util.Arrays.fill(pin, '\0');
    }
  }

  private static boolean trusted(X509Certificate ca, List<X509Certificate> clientCas) {
    for (X509Certificate c : clientCas) {
      if (c.equals(ca)) return true;
      if (!c.getSubjectX500Principal().equals(ca.getIssuerX500Principal())) continue;
      try {
        ca.verify(c.getPublicKey());
        return true;
      } catch (GeneralSecurityException e) {
        // another CA with the same name; try the next
      }
    }
    return false;
  }

  /** As for the server key: a CA key others can read is no longer a secret. */
  private static void checkKeyPermissions(Origins o, Path key) throws ConfigException {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
      if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw o.error("enrollment", "ca_key", key, "is accessible by all users (mode "
            + PosixFilePermissions.toString(perms) + "); run: chmod 0640 " + key + " (or 0600)");
      }
      if (!Files.isReadable(key)) throw o.error("enrollment", "ca_key", key, "cannot read: permission denied");
    } catch (IOException e) {
      throw o.error("enrollment", "ca_key", key, "cannot read: " + e.getMessage());
    }
  }
}
