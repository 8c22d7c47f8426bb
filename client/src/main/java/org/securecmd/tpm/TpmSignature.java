package org.securecmd.tpm;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;

/**
 * A parsed TPMT_SIGNATURE: ECDSA ({@code 0018}, hash, r and s as TPM2B) or RSASSA ({@code 0014}, hash,
 * the signature as TPM2B). {@link #verify} checks it with the JDK.
 */
public record TpmSignature(int sigAlg, int hashAlg, byte[] r, byte[] s) {
  /**
   * Parses a TPMT_SIGNATURE (no size prefix).
   *
   * @throws IllegalArgumentException if it is malformed or of another scheme
   */
  public static TpmSignature parse(byte[] signature) {
    TpmReader in = new TpmReader(signature, "TPMT_SIGNATURE");
    int alg = in.u16();
    int hash = in.u16();
    TpmSignature sig;
    if (alg == Alg.ECDSA) {
      sig = new TpmSignature(alg, hash, in.tpm2b(), in.tpm2b());
    } else if (alg == Alg.RSASSA) {
      sig = new TpmSignature(alg, hash, in.tpm2b(), new byte[0]);
    } else {
      throw new IllegalArgumentException("TPMT_SIGNATURE scheme 0x" + Integer.toHexString(alg)
          + ": expected ECDSA (0x0018) or RSASSA (0x0014)");
    }
    in.end();
    return sig;
  }

  /** Whether this is a valid signature of {@code message} by {@code key}. */
  public boolean verify(PublicKey key, byte[] message) throws GeneralSecurityException {
    String hash;
    switch (hashAlg) {
      case Alg.SHA256: hash = "SHA256"; break;
      case Alg.SHA384: hash = "SHA384"; break;
      case Alg.SHA512: hash = "SHA512"; break;
      default: throw new GeneralSecurityException("unsupported signature hash 0x" + Integer.toHexString(hashAlg));
    }
    Signature verifier;
    byte[] encoded;
    if (sigAlg == Alg.ECDSA) {
      if (!(key instanceof ECPublicKey)) throw new GeneralSecurityException("ECDSA signature, " + key.getAlgorithm() + " key");
      int size = (((ECPublicKey) key).getParams().getCurve().getField().getFieldSize() + 7) / 8;
      verifier = Signature.getInstance(hash + "withECDSAinP1363Format");
      encoded = new byte[2 * size];
      pad(r, encoded, 0, size);
      pad(s, encoded, size, size);
    } else {
      verifier = Signature.getInstance(hash + "withRSA");
      encoded = r;
    }
    verifier.initVerify(key);
    verifier.update(message);
    return verifier.verify(encoded);
  }

  private static void pad(byte[] value, byte[] out, int at, int size) throws GeneralSecurityException {
    byte[] v = new BigInteger(1, value).toByteArray();
    int skip = v.length > size && v[0] == 0 ? 1 : 0;
    if (v.length - skip > size) throw new GeneralSecurityException("signature value longer than the curve");
    System.arraycopy(v, skip, out, at + size - (v.length - skip), v.length - skip);
  }
}
