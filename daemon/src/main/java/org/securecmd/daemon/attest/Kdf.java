package org.securecmd.daemon.attest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The TPM's key derivation functions (TPM 2.0 Part 1, 11.4.10): KDFa (SP 800-108 counter mode with HMAC)
 * and KDFe (SP 800-56A concatenation KDF, for ECDH). Labels are hashed with their terminating NUL, as the
 * TPM does.
 */
final class Kdf {
  private Kdf() {}

  /** KDFa(hash, key, label, contextU, contextV, bits): {@code bits / 8} bytes. */
  static byte[] kdfa(HashAlg hash, byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
    try {
      Mac mac = Mac.getInstance(hash.hmacName);
      mac.init(new SecretKeySpec(key, hash.hmacName));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int counter = 1; out.size() < bits / 8; counter++) {
        mac.update(ByteBuffer.allocate(4).putInt(counter).array());
        mac.update(labelBytes(label));
        mac.update(contextU);
        mac.update(contextV);
        mac.update(ByteBuffer.allocate(4).putInt(bits).array());
        out.writeBytes(mac.doFinal());
      }
      return Arrays.copyOf(out.toByteArray(), bits / 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(hash.hmacName + " unavailable", e);
    }
  }

  /** KDFe(hash, Z, label, partyUInfo, partyVInfo, bits): {@code bits / 8} bytes. */
  static byte[] kdfe(HashAlg hash, byte[] z, String label, byte[] partyU, byte[] partyV, int bits) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int counter = 1; out.size() < bits / 8; counter++) {
      out.writeBytes(hash.digest(ByteBuffer.allocate(4).putInt(counter).array(), z, labelBytes(label), partyU, partyV));
    }
    return Arrays.copyOf(out.toByteArray(), bits / 8);
  }

  private static byte[] labelBytes(String label) {
    byte[] ascii = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return Arrays.copyOf(ascii, ascii.length + 1);
  }
}
