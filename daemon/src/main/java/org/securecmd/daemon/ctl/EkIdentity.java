package org.securecmd.daemon.ctl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * A TPM's EK identity as securecmd registers it: SHA-256 of the DER SubjectPublicKeyInfo of its endorsement
 * key, lower-case hex, the same as {@code openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER |
 * sha256sum}. Computed here, from the operator's file, so the daemon never needs to read it.
 */
final class EkIdentity {
  private EkIdentity() {}

  /**
   * The EK identity of the EK certificate in {@code file} (PEM or DER).
   *
   * @throws IOException naming the file when it cannot be read or holds no certificate
   */
  static String ofCertificateFile(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IOException(file + ": cannot read the EK certificate: " + e.getMessage(), e);
    }
    X509Certificate cert;
    try {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(bytes));
    } catch (CertificateException | ClassCastException e) {
      throw new IOException(file + ": not an EK certificate (PEM or DER): " + e.getMessage(), e);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  /** {@code text} as 64 lower-case hex digits (either case and colons accepted); empty when it is not. */
  static Optional<String> ofHex(String text) {
    String hex = text.strip().replace(":", "").toLowerCase(Locale.ROOT);
    return hex.matches("[0-9a-f]{64}") ? Optional.of(hex) : Optional.empty();
  }
}
