package org.securecmd.daemon.attest;

import java.security.MessageDigest;
import java.security.SecureRandom;
import org.securecmd.daemon.attest.AttestationException.Check;

/**
 * One enrollment attempt on one connection: the checks of {@code ENROLL} and, once, of {@code ENROLL-PROOF}.
 *
 * <pre>{@code
 * VerifiedEk ek = cas.verify(ekCertificate, Instant.now());   // then: registered? revoked? (ek.keySha256())
 * EnrollmentChallenge c = EnrollmentChallenge.issue(ek, ekPublic, akPublic, random);
 * reply(c.credentialBlob(), c.encryptedSecret(), c.nonce());
 * AttestedKey key = c.prove(activatedSecret, csr, keyPublic, attest, signature);
 * }</pre>
 *
 * <p>{@link #issue} takes an EK certificate {@link EkAuthority} accepted, checks that the EK public area holds
 * the certificate's key and the AK ({@link AttestationKey}); it then makes a credential of a fresh 32-byte
 * secret for the AK's Name under the EK ({@link MakeCredential}) and a fresh 32-byte nonce. Whether the EK
 * is registered or the identity revoked is the caller's check, with {@link VerifiedEk#keySha256()}.
 *
 * <p>{@link #prove} may be called once: the secret must be the one activated, then {@link CertifyVerifier}
 * runs with this challenge's nonce and AK. A second call is refused, whatever its outcome, so neither the
 * secret nor the nonce can be replayed. Thread-safe.
 */
public final class EnrollmentChallenge {
  private final VerifiedEk ek;
  private final AttestationKey key;
  private final MakeCredential.Blob blob;
  private final byte[] secret;
  private final byte[] nonce;
  private boolean used;

  private EnrollmentChallenge(VerifiedEk ek, AttestationKey key, MakeCredential.Blob blob,
      byte[] secret, byte[] nonce) {
    this.ek = ek;
    this.key = key;
    this.blob = blob;
    this.secret = secret;
    this.nonce = nonce;
  }

  /**
   * @param ek the EK certificate, as {@link EkAuthority#verify} accepted it
   * @param ekPublic the EK's TPM2B_PUBLIC
   * @param akPublic the AK's TPM2B_PUBLIC
   */
  public static EnrollmentChallenge issue(VerifiedEk ek, byte[] ekPublic, byte[] akPublic, SecureRandom random)
      throws AttestationException {
    AttestationKey key = AttestationKey.of(akPublic, ekPublic);
    if (!TpmKeys.sameKey(ek.certificate().getPublicKey(), key.ek.publicKey("EK public area"))) {
      throw AttestationException.failed(Check.EK_KEY, "EK public area is not the key of the EK certificate");
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    byte[] nonce = new byte[32];
    random.nextBytes(nonce);
    MakeCredential.Blob blob = MakeCredential.make(key.ek, key.akName(), secret, random);
    return new EnrollmentChallenge(ek, key, blob, secret, nonce);
  }

  /** The checks of {@code ENROLL-PROOF}; see the class comment. */
  public AttestedKey prove(byte[] activatedSecret, byte[] csr, byte[] keyPublic, byte[] attest, byte[] signature)
      throws AttestationException {
    synchronized (this) {
      if (used) throw AttestationException.failed(Check.REPLAY, "this enrollment challenge was already answered");
      used = true;
    }
    if (!MessageDigest.isEqual(activatedSecret, secret)) {
      throw AttestationException.failed(Check.SECRET, "the activated secret is not the credential's");
    }
    return CertifyVerifier.verify(key, nonce, csr, keyPublic, attest, signature);
  }

  /** The EK certificate this challenge was made for. */
  public VerifiedEk ek() {
    return ek;
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
