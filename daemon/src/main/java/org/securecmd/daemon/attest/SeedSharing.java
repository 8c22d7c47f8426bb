package org.securecmd.daemon.attest;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Secret sharing with an EK (TPM 2.0 Part 1, 11.4.9 "Secret Sharing", label "IDENTITY"). RSA: a random seed
 * of the name algorithm's digest size, RSA-OAEP with that hash and MGF1 and the label "IDENTITY\0". ECC: an
 * ephemeral key on the EK's curve; seed = KDFe(nameAlg, x(ECDH), "IDENTITY", x(ephemeral), x(EK)); what the
 * TPM receives is the ephemeral point (TPMS_ECC_POINT).
 */
final class SeedSharing {
  private SeedSharing() {}

  /** The seed, and its encrypted form as the TPM2B_ENCRYPTED_SECRET's content. */
  record Shared(byte[] seed, byte[] encrypted) {}

  static Shared share(TpmPublic ek, HashAlg hash, SecureRandom random) throws AttestationException {
    if (ek.type() == TpmPublic.RSA) return rsa(ek, hash, random);
    return ecc(ek, hash, random);
  }

  private static Shared rsa(TpmPublic ek, HashAlg hash, SecureRandom random) throws AttestationException {
    byte[] seed = new byte[hash.size];
    random.nextBytes(seed);
    try {
      Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
      byte[] label = "IDENTITY\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      oaep.init(Cipher.ENCRYPT_MODE, ek.publicKey("EK public area"), new OAEPParameterSpec(hash.jdkName, "MGF1",
          new MGF1ParameterSpec(hash.jdkName), new PSource.PSpecified(label)), random);
      return new Shared(seed, oaep.doFinal(seed));
    } catch (GeneralSecurityException e) {
      throw AttestationException.bad("EK public area: RSA-OAEP to the EK failed (" + e.getMessage() + ")");
    }
  }

  private static Shared ecc(TpmPublic ek, HashAlg hash, SecureRandom random) throws AttestationException {
    ECParameterSpec params = TpmKeys.curve("EK public area", ek.curve());
    int size = (params.getCurve().getField().getFieldSize() + 7) / 8;
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(params, random);
      KeyPair eph = gen.generateKeyPair();
      KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
      ecdh.init(eph.getPrivate());
      ecdh.doPhase(ek.publicKey("EK public area"), true);
      byte[] z = ecdh.generateSecret(); // x of the shared point, padded to the field size
      ECPublicKey q = (ECPublicKey) eph.getPublic();
      byte[] x = fixed(q.getW().getAffineX(), size);
      byte[] y = fixed(q.getW().getAffineY(), size);
      byte[] seed = Kdf.kdfe(hash, z, "IDENTITY", x, ek.unique(), hash.size * 8);
      return new Shared(seed, TpmPublic.concat(MakeCredential.tpm2b(x), MakeCredential.tpm2b(y)));
    } catch (GeneralSecurityException e) {
      throw AttestationException.bad("EK public area: ECDH with the EK failed (" + e.getMessage() + ")");
    }
  }

  private static byte[] fixed(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    if (b.length > size) b = Arrays.copyOfRange(b, b.length - size, b.length);
    byte[] out = new byte[size];
    System.arraycopy(b, 0, out, size - b.length, b.length);
    return out;
  }
}
