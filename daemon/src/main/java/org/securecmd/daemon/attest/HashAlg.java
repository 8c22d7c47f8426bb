package org.securecmd.daemon.attest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The TPM hash algorithms this server accepts (TPM_ALG_ID), with their JDK names. SHA-1 is refused on purpose. */
enum HashAlg {
  SHA256(0x000b, "SHA-256", "HmacSHA256", 32),
  SHA384(0x000c, "SHA-384", "HmacSHA384", 48),
  SHA512(0x000d, "SHA-512", "HmacSHA512", 64);

  final int id;
  final String jdkName;
  final String hmacName;
  final int size;

  HashAlg(int id, String jdkName, String hmacName, int size) {
    this.id = id;
    this.jdkName = jdkName;
    this.hmacName = hmacName;
    this.size = size;
  }

  /** The algorithm for {@code id}; {@code what} names the field in the refusal. */
  static HashAlg of(int id, String what) throws AttestationException {
    for (HashAlg h : values()) {
      if (h.id == id) return h;
    }
    throw AttestationException.bad(
        what + " hash algorithm " + hex16(id) + " is not supported (sha256, sha384, sha512)");
  }

  byte[] digest(byte[]... parts) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(jdkName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(jdkName + " missing from the JDK", e);
    }
    for (byte[] p : parts) md.update(p);
    return md.digest();
  }

  /** The 2-byte algorithm id, as it prefixes a Name. */
  byte[] idBytes() {
    return new byte[] {(byte) (id >> 8), (byte) id};
  }

  static String hex16(int v) {
    return String.format("%04x", v);
  }
}
