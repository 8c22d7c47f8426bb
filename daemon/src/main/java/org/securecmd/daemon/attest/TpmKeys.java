package org.securecmd.daemon.attest;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;

/** Public areas as JDK keys, and whether a JDK key (from a certificate or CSR) is the same key. */
final class TpmKeys {
  private TpmKeys() {}

  static PublicKey toPublicKey(String what, TpmPublic p) throws AttestationException {
    try {
      if (p.type() == TpmPublic.RSA) {
        BigInteger e = BigInteger.valueOf(p.rsaExponent() == 0 ? 65537 : p.rsaExponent() & 0xffffffffL);
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1, p.unique()), e));
      }
      ECParameterSpec params = curve(what, p.curve());
      int size = (params.getCurve().getField().getFieldSize() + 7) / 8;
      if (p.unique().length > size || p.uniqueY().length > size) {
        throw AttestationException.bad(what + ": ECC point coordinates longer than the curve's " + size + " bytes");
      }
      ECPoint w = new ECPoint(new BigInteger(1, p.unique()), new BigInteger(1, p.uniqueY()));
      return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, params));
    } catch (GeneralSecurityException e) {
      throw AttestationException.bad(what + ": not a valid public key (" + e.getMessage() + ")");
    }
  }

  /** The JDK parameters of a TPM_ECC_CURVE: NIST P-256 (0003) and P-384 (0004). */
  static ECParameterSpec curve(String what, int curve) throws AttestationException {
    String name = switch (curve) {
      case 0x0003 -> "secp256r1";
      case 0x0004 -> "secp384r1";
      default -> throw AttestationException.bad(
          what + ": ECC curve " + HashAlg.hex16(curve) + " is not supported (P-256, P-384)");
    };
    try {
      AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
      ap.init(new ECGenParameterSpec(name));
      return ap.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(name + " missing from the JDK", e);
    }
  }

  /** True when both are the same RSA key, or the same point on the same curve. */
  static boolean sameKey(PublicKey a, PublicKey b) {
    if (a instanceof RSAPublicKey x && b instanceof RSAPublicKey y) {
      return x.getModulus().equals(y.getModulus()) && x.getPublicExponent().equals(y.getPublicExponent());
    }
    if (a instanceof ECPublicKey x && b instanceof ECPublicKey y) {
      return x.getW().equals(y.getW()) && x.getParams().getCurve().equals(y.getParams().getCurve())
          && x.getParams().getOrder().equals(y.getParams().getOrder());
    }
    return false;
  }
}
