package org.securecmd.daemon.attest;

import java.security.PublicKey;
import java.util.Arrays;

/**
 * A TPM object's public area (TPMT_PUBLIC) of an RSA or ECC key, as parsed from a TPM2B_PUBLIC. The Name
 * is computed over the exact bytes received ({@link #marshalled}), so nothing is lost in re-encoding.
 *
 * @param type TPM_ALG_RSA (0001) or TPM_ALG_ECC (0023)
 * @param nameAlg the algorithm of the object's Name (and, for an EK, of KDFa, the HMAC and the OAEP)
 * @param attributes TPMA_OBJECT bits (see the constants)
 * @param authPolicy the policy digest, empty when the object has none
 * @param symmetric the symmetric definition of a storage key such as an EK (null alg when none)
 * @param scheme the signing or decryption scheme (null alg when none)
 * @param rsaBits RSA key size, 0 for ECC
 * @param rsaExponent RSA public exponent as marshalled (0 means 65537)
 * @param curve TPM_ECC_CURVE, 0 for RSA
 * @param kdf the ECC KDF scheme (null alg when none), 0 for RSA
 * @param unique RSA: the modulus; ECC: x
 * @param uniqueY ECC: y; RSA: empty
 * @param marshalled the TPMT_PUBLIC bytes (without the TPM2B size)
 */
record TpmPublic(int type, int nameAlg, int attributes, byte[] authPolicy, SymDef symmetric, Scheme scheme,
    int rsaBits, int rsaExponent, int curve, Scheme kdf, byte[] unique, byte[] uniqueY, byte[] marshalled) {
  static final int RSA = 0x0001;
  static final int ECC = 0x0023;
  static final int NULL_ALG = 0x0010;

  static final int FIXED_TPM = 1 << 1;
  static final int FIXED_PARENT = 1 << 4;
  static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
  static final int RESTRICTED = 1 << 16;
  static final int DECRYPT = 1 << 17;
  static final int SIGN = 1 << 18;

  /** TPMT_SYM_DEF_OBJECT: algorithm (AES 0006 or null 0010), key bits, mode (CFB 0043). */
  record SymDef(int alg, int keyBits, int mode) {}

  /** A scheme or KDF: its algorithm (null 0010 when none) and hash. */
  record Scheme(int alg, int hash) {}

  /** Parses a TPM2B_PUBLIC (2-byte size, then TPMT_PUBLIC); {@code what} names it in refusals ("AK public area"). */
  static TpmPublic parse(String what, byte[] tpm2b) throws AttestationException {
    TpmReader outer = new TpmReader(what, tpm2b);
    byte[] tpmt = outer.tpm2b();
    outer.end();
    return PublicAreaParser.parse(what, tpmt);
  }

  boolean has(int attribute) {
    return (attributes & attribute) == attribute;
  }

  /** The Name: nameAlg || H_nameAlg(TPMT_PUBLIC). */
  byte[] name(String what) throws AttestationException {
    HashAlg h = HashAlg.of(nameAlg, what + " name");
    return concat(h.idBytes(), h.digest(marshalled));
  }

  /** The key as a JDK public key. */
  PublicKey publicKey(String what) throws AttestationException {
    return TpmKeys.toPublicKey(what, this);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TpmPublic p && Arrays.equals(marshalled, p.marshalled);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(marshalled);
  }

  @Override
  public String toString() {
    return "TpmPublic[type=" + HashAlg.hex16(type) + ", nameAlg=" + HashAlg.hex16(nameAlg)
        + ", attributes=" + String.format("%08x", attributes) + "]";
  }
}
