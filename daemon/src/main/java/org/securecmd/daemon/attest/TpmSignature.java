package org.securecmd.daemon.attest;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import org.securecmd.daemon.attest.AttestationException.Check;

/**
 * A TPMT_SIGNATURE (RSASSA 0014, RSAPSS 0016, ECDSA 0018) and its verification with the JDK. ECDSA's r and
 * s arrive as TPM2Bs that the TPM may shorten (leading zeros dropped); they are left-padded to the curve
 * size for the JDK's P1363 form (r||s).
 *
 * @param sigAlg the scheme
 * @param hashAlg the hash the TPM signed with; it also hashes a quote's PCR values
 * @param r RSA: the signature; ECDSA: r as the TPM sent it
 * @param s ECDSA: s as the TPM sent it; RSA: empty
 */
record TpmSignature(int sigAlg, HashAlg hashAlg, byte[] r, byte[] s) {
  static final int RSASSA = 0x0014;
  static final int RSAPSS = 0x0016;
  static final int ECDSA = 0x0018;

  /** Parses raw TPMT_SIGNATURE bytes (no size prefix). */
  static TpmSignature parse(byte[] raw) throws AttestationException {
    TpmReader rd = new TpmReader("TPMT_SIGNATURE", raw);
    int alg = rd.u16();
    if (alg != RSASSA && alg != RSAPSS && alg != ECDSA) {
      throw AttestationException.bad(
          "signature scheme " + HashAlg.hex16(alg) + " is not supported (rsassa, rsapss, ecdsa)");
    }
    HashAlg hash = HashAlg.of(rd.u16(), "signature");
    TpmSignature sig = alg == ECDSA ? new TpmSignature(alg, hash, rd.tpm2b(), rd.tpm2b())
        : new TpmSignature(alg, hash, rd.tpm2b(), new byte[0]);
    rd.end();
    return sig;
  }

  /** Whether this signature over {@code message} verifies with {@code key} ({@code keyWhat} names it). */
  void verify(TpmPublic key, String keyWhat, byte[] message, String messageWhat) throws AttestationException {
    if ((key.type() == TpmPublic.ECC) != (sigAlg == ECDSA)) {
      throw AttestationException.failed(Check.SIGNATURE,
          messageWhat + " signature scheme " + HashAlg.hex16(sigAlg) + " does not fit the " + keyWhat);
    }
    if (key.scheme().alg() != TpmPublic.NULL_ALG
        && (key.scheme().alg() != sigAlg || key.scheme().hash() != hashAlg.id)) {
      throw AttestationException.failed(Check.SIGNATURE,
          messageWhat + " signature scheme differs from the " + keyWhat + "'s own scheme");
    }
    PublicKey pk = key.publicKey(keyWhat);
    boolean ok;
    try {
      Signature v = jdkSignature();
      v.initVerify(pk);
      v.update(message);
      ok = v.verify(key.type() == TpmPublic.ECC ? p1363(key) : r);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      ok = false;
    }
    if (!ok) throw AttestationException.failed(Check.SIGNATURE,
        messageWhat + " signature does not verify with the " + keyWhat);
  }

  private Signature jdkSignature() throws GeneralSecurityException {
    String h = hashAlg.jdkName.replace("-", "");
    if (sigAlg == ECDSA) return Signature.getInstance(h + "withECDSAinP1363Format");
    if (sigAlg == RSASSA) return Signature.getInstance(h + "withRSA");
    // A TPM signs RSAPSS with a salt as long as the digest (the reference implementation does; FIPS 186-4
    // allows no longer salt for a 2048-bit key and SHA-512 would still fit). Verified with software keys only.
    Signature pss = Signature.getInstance("RSASSA-PSS");
    pss.setParameter(new PSSParameterSpec(hashAlg.jdkName, "MGF1", new MGF1ParameterSpec(hashAlg.jdkName),
        hashAlg.size, 1));
    return pss;
  }

  private byte[] p1363(TpmPublic key) throws AttestationException {
    int size = (TpmKeys.curve("signing key", key.curve()).getCurve().getField().getFieldSize() + 7) / 8;
    return TpmPublic.concat(pad(r, size), pad(s, size));
  }

  private static byte[] pad(byte[] v, int size) throws AttestationException {
    byte[] stripped = new BigInteger(1, v).toByteArray();
    if (stripped.length > 1 && stripped[0] == 0) stripped = Arrays.copyOfRange(stripped, 1, stripped.length);
    if (stripped.length > size) throw AttestationException.bad("ECDSA signature value longer than the curve size");
    byte[] out = new byte[size];
    System.arraycopy(stripped, 0, out, size - stripped.length, stripped.length);
    return out;
  }
}
