package org.securecmd.tpm;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** TPM 2.0 algorithm and curve identifiers (TPM 2.0 Part 2, TPM_ALG_ID and TPM_ECC_CURVE) used here. */
public final class Alg {
  public static final int RSA = 0x0001;
  public static final int SHA1 = 0x0004;
  public static final int AES = 0x0006;
  public static final int SHA256 = 0x000b;
  public static final int SHA384 = 0x000c;
  public static final int SHA512 = 0x000d;
  public static final int NULL = 0x0010;
  public static final int RSASSA = 0x0014;
  public static final int RSAPSS = 0x0016;
  public static final int ECDSA = 0x0018;
  public static final int ECC = 0x0023;
  public static final int CFB = 0x0043;

  public static final int NIST_P256 = 0x0003;
  public static final int NIST_P384 = 0x0004;
  public static final int NIST_P521 = 0x0005;

  private Alg() {}

  /** A JDK digest for a TPM hash algorithm. */
  static MessageDigest digest(int hashAlg) {
    String name;
    switch (hashAlg) {
      case SHA1: name = "SHA-1"; break;
      case SHA256: name = "SHA-256"; break;
      case SHA384: name = "SHA-384"; break;
      case SHA512: name = "SHA-512"; break;
      default: throw new IllegalArgumentException("unsupported hash algorithm 0x" + Integer.toHexString(hashAlg));
    }
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no " + name, e);
    }
  }

  /** The JDK's standard name of a TPM curve. */
  static String curveName(int curve) {
    switch (curve) {
      case NIST_P256: return "secp256r1";
      case NIST_P384: return "secp384r1";
      case NIST_P521: return "secp521r1";
      default: throw new IllegalArgumentException("unsupported ECC curve 0x" + Integer.toHexString(curve));
    }
  }
}
