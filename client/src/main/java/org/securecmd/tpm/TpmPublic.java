package org.securecmd.tpm;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;

/**
 * An object's public area (TPMT_PUBLIC) as the TPM marshals it, with the fields this project reads. {@link
 * #marshalled()} is the TPM2B_PUBLIC (u16 size first, like tpm2-tools' {@code .pub} files and the
 * enrollment wire); {@link #name()} is the object's Name, {@code nameAlg || H(TPMT_PUBLIC)}.
 */
public final class TpmPublic {
  /** TPMA_OBJECT bits (TPM 2.0 Part 2). */
  public static final int FIXED_TPM = 0x2;
  public static final int FIXED_PARENT = 0x10;
  public static final int SENSITIVE_DATA_ORIGIN = 0x20;
  public static final int USER_WITH_AUTH = 0x40;
  public static final int ADMIN_WITH_POLICY = 0x80;
  public static final int NO_DA = 0x400;
  public static final int RESTRICTED = 0x10000;
  public static final int DECRYPT = 0x20000;
  public static final int SIGN = 0x40000;

  private final byte[] marshalled;
  private final int type;
  private final int nameAlg;
  private final int attributes;
  private final byte[] authPolicy;
  private final int symmetricAlg;
  private final int symmetricKeyBits;
  private final int schemeAlg;
  private final int schemeHash;
  private final int curveOrKeyBits;
  private final int exponent;
  private final byte[] uniqueX;
  private final byte[] uniqueY;

  private TpmPublic(byte[] marshalled) {
    this.marshalled = marshalled;
    TpmReader outer = new TpmReader(marshalled, "TPM2B_PUBLIC");
    TpmReader r = outer.sub(outer.u16(), "TPMT_PUBLIC");
    outer.end();
    type = r.u16();
    nameAlg = r.u16();
    attributes = r.u32();
    authPolicy = r.tpm2b();
    symmetricAlg = r.u16();
    if (symmetricAlg != Alg.NULL) {
      symmetricKeyBits = r.u16();
      r.u16(); // mode
    } else {
      symmetricKeyBits = 0;
    }
    schemeAlg = r.u16();
    schemeHash = schemeAlg != Alg.NULL ? r.u16() : Alg.NULL;
    if (type == Alg.RSA) {
      curveOrKeyBits = r.u16();
      exponent = r.u32();
      uniqueX = r.tpm2b();
      uniqueY = new byte[0];
    } else if (type == Alg.ECC) {
      curveOrKeyBits = r.u16();
      if (r.u16() != Alg.NULL) r.u16(); // KDF scheme and its hash
      exponent = 0;
      uniqueX = r.tpm2b();
      uniqueY = r.tpm2b();
    } else {
      throw new IllegalArgumentException("TPMT_PUBLIC: unsupported object type 0x" + Integer.toHexString(type)
          + " (RSA and ECC only)");
    }
    r.end();
  }

  /**
   * Parses a TPM2B_PUBLIC (size prefix included) of an RSA or ECC object.
   *
   * @throws IllegalArgumentException if it is truncated, has trailing bytes or is of another type
   */
  public static TpmPublic parse(byte[] tpm2bPublic) {
    return new TpmPublic(tpm2bPublic.clone());
  }

  /** The TPM2B_PUBLIC: u16 size, then TPMT_PUBLIC. */
  public byte[] marshalled() {
    return marshalled.clone();
  }

  /** The TPMT_PUBLIC alone (what the Name hashes and what a template is). */
  public byte[] area() {
    return Arrays.copyOfRange(marshalled, 2, marshalled.length);
  }

  /** The Name: nameAlg (u16) followed by the nameAlg digest of the TPMT_PUBLIC. */
  public byte[] name() {
    return new TpmWriter().u16(nameAlg).bytes(Alg.digest(nameAlg).digest(area())).toByteArray();
  }

  /** {@link Alg#RSA} or {@link Alg#ECC}. */
  public int type() {
    return type;
  }

  public int nameAlg() {
    return nameAlg;
  }

  /** TPMA_OBJECT, e.g. 0x00040072 for a TLS signing key. */
  public int attributes() {
    return attributes;
  }

  public boolean has(int attribute) {
    return (attributes & attribute) == attribute;
  }

  public byte[] authPolicy() {
    return authPolicy.clone();
  }

  /** The symmetric algorithm of a storage key ({@link Alg#AES}), or {@link Alg#NULL}. */
  public int symmetricAlg() {
    return symmetricAlg;
  }

  public int symmetricKeyBits() {
    return symmetricKeyBits;
  }

  /** The signing or decryption scheme ({@link Alg#ECDSA}, {@link Alg#NULL}, …). */
  public int schemeAlg() {
    return schemeAlg;
  }

  /** The scheme's hash, {@link Alg#NULL} when the scheme is null. */
  public int schemeHash() {
    return schemeHash;
  }

  /** The curve of an ECC key ({@link Alg#NIST_P256}, …); 0 for RSA. */
  public int curve() {
    return type == Alg.ECC ? curveOrKeyBits : 0;
  }

  /** The modulus size of an RSA key; 0 for ECC. */
  public int rsaKeyBits() {
    return type == Alg.RSA ? curveOrKeyBits : 0;
  }

  /**
   * The key as a JDK {@link PublicKey} (RSA or EC).
   *
   * @throws IllegalArgumentException if the area holds no key yet (a template) or an unsupported curve
   */
  public PublicKey publicKey() {
    if (uniqueX.length == 0) throw new IllegalArgumentException("public area has no key (a template?)");
    try {
      if (type == Alg.RSA) {
        long e = exponent == 0 ? 65537 : exponent & 0xffffffffL; // 0 means the default exponent
        return KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(new BigInteger(1, uniqueX), BigInteger.valueOf(e)));
      }
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec(Alg.curveName(curveOrKeyBits)));
      ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
      ECPoint w = new ECPoint(new BigInteger(1, uniqueX), new BigInteger(1, uniqueY));
      return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("public area's key is not valid: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TpmPublic && Arrays.equals(marshalled, ((TpmPublic) o).marshalled);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(marshalled);
  }

  @Override
  public String toString() {
    return "TpmPublic[type=0x" + Integer.toHexString(type) + ", attributes=0x" + Integer.toHexString(attributes) + "]";
  }
}
