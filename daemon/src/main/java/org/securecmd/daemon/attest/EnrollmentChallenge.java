package org.securecmd.daemon.attest;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One enrollment attempt on one connection: the checks of {@code ENROLL} and, once, of {@code ENROLL-PROOF}.
 *
 * <pre>{@code
 * EnrollmentChallenge c = EnrollmentChallenge.issue(cas, ekCert, ekPublic, akPublic, Instant.now(), random);
 * reply(c.credentialBlob(), c.encryptedSecret(), c.nonce());   // then look up c.ekKeySha256() ...
 * AttestedKey key = c.prove(activatedSecret, csr, keyPublic, attest, signature);
 * }</pre>
 *
 * <p>{@link #issue} checks the EK certificate against {@code ek_ca} ({@link EkAuthority}), that the EK public
 * area holds the certificate's key, and the AK ({@link AttestationKey}); it then makes a credential of a fresh
 * 32-byte secret for the AK's Name under the EK ({@link MakeCredential}) and a fresh 32-byte nonce. Whether
 * the EK is registered or the identity revoked is the caller's check, with {@link #ekKeySha256()}.
 *
 * <p>{@link #prove} may be called once: the secret must be the one activated, then {@link CertifyVerifier}
 * runs with this challenge's nonce and AK. A second call is refused, whatever its outcome, so neither the
 * secret nor the nonce can be replayed. Thread-safe.
 */
public final class EnrollmentChallenge {
  private final X509Certificate ekCertificate;
  private final AttestationKey key;
  private final MakeCredential.Blob blob;
  private final byte[] secret;
  private final byte[] nonce;
  private boolean used;

  private EnrollmentChallenge(X509Certificate ekCertificate, AttestationKey key, MakeCredential.Blob blob,
      byte[] secret, byte[] nonce) {
    this.ekCertificate = ekCertificate;
    this.key = key;
    this.blob = blob;
    this.secret = secret;
    this.nonce = nonce;
  }

  /**
   * @param ekCertificate DER
   * @param ekPublic the EK's TPM2B_PUBLIC
   * @param akPublic the AK's TPM2B_PUBLIC
   * @param at the time for the EK certificate's path validation
   */
  public static EnrollmentChallenge issue(EkAuthority cas, byte[] ekCertificate, byte[] ekPublic, byte[] akPublic,
      Instant at, SecureRandom random) throws AttestationException {
    X509Certificate cert = cas.verify(ekCertificate, at);
    AttestationKey key = AttestationKey.of(akPublic, ekPublic);
    if (!TpmKeys.sameKey(cert.getPublicKey(), key.ek.publicKey("EK public area"))) {
      throw AttestationException.bad("EK public area is not the key of the EK certificate");
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    byte[] nonce = new byte[32];
    random.nextBytes(nonce);
    MakeCredential.Blob blob = MakeCredential.make(key.ek, key.akName(), secret, random);
    return new EnrollmentChallenge(cert, key, blob, secret, nonce);
  }

  /** The checks of {@code ENROLL-PROOF}; see the class comment. */
  public AttestedKey prove(byte[] activatedSecret, byte[] csr, byte[] keyPublic, byte[] attest, byte[] signature)
      throws AttestationException {
    synchronized (this) {
      if (used) throw AttestationException.bad("this enrollment challenge was already answered");
      used = true;
    }
    if (!MessageDigest.isEqual(activatedSecret, secret)) {
      throw AttestationException.bad("the activated secret is not the credential's");
    }
    return CertifyVerifier.verify(key, nonce, csr, keyPublic, attest, signature);
  }

  /** The verified EK certificate. */
  public X509Certificate ekCertificate() {
    return ekCertificate;
  }

  /**
   * The EK's identity for registrations: lower-case hex SHA-256 of the EK certificate's SubjectPublicKeyInfo
   * (DER), i.e. {@code openssl x509 -in ek.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum}.
   */
  public String ekKeySha256() {
    return ekKeySha256(ekCertificate);
  }

  /** The same digest for any EK certificate (for {@code enroll add --ek-cert}). */
  public static String ekKeySha256(X509Certificate ekCertificate) {
    return HexFormat.of().formatHex(HashAlg.SHA256.digest(ekCertificate.getPublicKey().getEncoded()));
  }

  /** The AK and EK to record with the identity once the proof holds. */
  public AttestationKey attestationKey() {
    return key;
  }

  /** TPM2B_ID_OBJECT, for the reply. */
  public byte[] credentialBlob() {
    return blob.idObject().clone();
  }

  /** TPM2B_ENCRYPTED_SECRET, for the reply. */
  public byte[] encryptedSecret() {
    return blob.encryptedSecret().clone();
  }

  /** The 32-byte nonce the certify must carry as extraData. */
  public byte[] nonce() {
    return nonce.clone();
  }
}
