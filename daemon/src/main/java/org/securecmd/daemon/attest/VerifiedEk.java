package org.securecmd.daemon.attest;

import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * An EK certificate that {@link EkAuthority#verify} accepted: only that method makes one, so holding it is
 * the proof. Its {@link #keySha256} identifies the TPM in registrations and pending requests.
 */
public final class VerifiedEk {
  private final X509Certificate certificate;

  VerifiedEk(X509Certificate certificate) {
    this.certificate = certificate;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** {@link #keySha256(X509Certificate)} of this certificate. */
  public String keySha256() {
    return keySha256(certificate);
  }

  /**
   * The EK's identity for registrations ({@code enroll add --ek-cert} as well): lower-case hex SHA-256 of the
   * certificate's SubjectPublicKeyInfo (DER), i.e.
   * {@code openssl x509 -in ek.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum}.
   */
  public static String keySha256(X509Certificate ekCertificate) {
    return HexFormat.of().formatHex(HashAlg.SHA256.digest(ekCertificate.getPublicKey().getEncoded()));
  }
}
