package org.securecmd.daemon.attest;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * TPM2_MakeCredential done outside the TPM (TPM 2.0 Part 1, 24 "Credential Protection"): wraps a secret so
 * that only the TPM holding the EK can recover it, and only for the object whose Name is given
 * (TPM2_ActivateCredential checks the HMAC over that Name).
 *
 * <p>The seed is shared by {@link SeedSharing} (RSA-OAEP or ECDH + KDFe, label "IDENTITY"). From it,
 * KDFa with the EK's name algorithm gives the symmetric key (label "STORAGE", contextU = the Name, the
 * EK's symmetric key size) and the HMAC key (label "INTEGRITY", the digest size). The credential, as a
 * TPM2B, is encrypted with the EK's symmetric algorithm in CFB mode with a zero IV; the outer HMAC covers
 * the ciphertext followed by the Name.
 */
final class MakeCredential {
  private static final int CFB = 0x0043;

  private MakeCredential() {}

  /** The two TPM2B fields {@code ENROLL} answers with. */
  record Blob(byte[] idObject, byte[] encryptedSecret) {}

  static Blob make(TpmPublic ek, byte[] objectName, byte[] credential, SecureRandom random)
      throws AttestationException {
    HashAlg hash = HashAlg.of(ek.nameAlg(), "EK name");
    TpmPublic.SymDef sym = ek.symmetric();
    if (sym.alg() == TpmPublic.NULL_ALG || sym.mode() != CFB || !(sym.keyBits() == 128 || sym.keyBits() == 256)) {
      throw AttestationException.bad("EK public area: symmetric definition is not AES-128/256-CFB");
    }
    if (credential.length > hash.size) throw new IllegalArgumentException("credential longer than the EK's digest");
    SeedSharing.Shared shared = SeedSharing.share(ek, hash, random);
    byte[] symKey = Kdf.kdfa(hash, shared.seed(), "STORAGE", objectName, new byte[0], sym.keyBits());
    byte[] hmacKey = Kdf.kdfa(hash, shared.seed(), "INTEGRITY", new byte[0], new byte[0], hash.size * 8);
    try {
      Cipher aes = Cipher.getInstance("AES/CFB/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
      byte[] encIdentity = aes.doFinal(tpm2b(credential));
      Mac mac = Mac.getInstance(hash.hmacName);
      mac.init(new SecretKeySpec(hmacKey, hash.hmacName));
      mac.update(encIdentity);
      byte[] integrity = mac.doFinal(objectName);
      byte[] idObject = tpm2b(TpmPublic.concat(tpm2b(integrity), encIdentity));
      return new Blob(idObject, tpm2b(shared.encrypted()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CFB or " + hash.hmacName + " unavailable", e);
    }
  }

  static byte[] tpm2b(byte[] content) {
    return ByteBuffer.allocate(2 + content.length).putShort((short) content.length).put(content).array();
  }
}
