package org.securecmd.daemon.attest;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * TPM2_ActivateCredential in software, for the table tests whose EK is a JDK key (the swtpm tests show the
 * real TPM agrees): recovers the seed with the EK's private key, checks the HMAC over the Name, decrypts.
 */
final class SoftActivation {
  private SoftActivation() {}

  static byte[] activate(PrivateKey ekPrivate, TpmPublic ek, byte[] objectName, byte[] idObject, byte[] encryptedSecret)
      throws Exception {
    HashAlg h = HashAlg.of(ek.nameAlg(), "EK");
    TpmReader secret = new TpmReader("secret", encryptedSecret);
    byte[] content = secret.tpm2b();
    byte[] seed;
    if (ek.type() == TpmPublic.RSA) {
      Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
      oaep.init(Cipher.DECRYPT_MODE, ekPrivate, new OAEPParameterSpec(h.jdkName, "MGF1", new MGF1ParameterSpec(h.jdkName),
          new PSource.PSpecified("IDENTITY\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
      seed = oaep.doFinal(content);
    } else {
      TpmReader point = new TpmReader("point", content);
      byte[] x = point.tpm2b();
      byte[] y = point.tpm2b();
      var params = TpmKeys.curve("EK", ek.curve());
      var eph = KeyFactory.getInstance("EC").generatePublic(
          new ECPublicKeySpec(new ECPoint(new BigInteger(1, x), new BigInteger(1, y)), params));
      KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
      ecdh.init(ekPrivate);
      ecdh.doPhase(eph, true);
      seed = Kdf.kdfe(h, ecdh.generateSecret(), "IDENTITY", x, ek.unique(), h.size * 8);
    }
    TpmReader id = new TpmReader("idObject", idObject);
    byte[] inner = id.tpm2b();
    byte[] integrity = new TpmReader("inner", inner).tpm2b();
    byte[] encIdentity = Arrays.copyOfRange(inner, 2 + integrity.length, inner.length);
    Mac mac = Mac.getInstance(h.hmacName);
    mac.init(new SecretKeySpec(Kdf.kdfa(h, seed, "INTEGRITY", new byte[0], new byte[0], h.size * 8), h.hmacName));
    mac.update(encIdentity);
    if (!MessageDigest.isEqual(mac.doFinal(objectName), integrity)) throw new IllegalStateException("integrity (0x1df)");
    Cipher aes = Cipher.getInstance("AES/CFB/NoPadding");
    aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(Kdf.kdfa(h, seed, "STORAGE", objectName, new byte[0],
        ek.symmetric().keyBits()), "AES"), new IvParameterSpec(new byte[16]));
    return new TpmReader("credential", aes.doFinal(encIdentity)).tpm2b();
  }
}
