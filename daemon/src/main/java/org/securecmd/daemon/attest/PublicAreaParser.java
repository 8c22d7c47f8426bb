package org.securecmd.daemon.attest;

import org.securecmd.daemon.attest.TpmPublic.Scheme;
import org.securecmd.daemon.attest.TpmPublic.SymDef;

/**
 * TPMT_PUBLIC → {@link TpmPublic} for RSA and ECC objects (TPM 2.0 Part 2, 12.2). Any other object type,
 * symmetric algorithm or scheme is refused by name rather than skipped, since its size would be guessed.
 */
final class PublicAreaParser {
  private static final int AES = 0x0006;

  private PublicAreaParser() {}

  static TpmPublic parse(String what, byte[] tpmt) throws AttestationException {
    TpmReader r = new TpmReader(what, tpmt);
    int type = r.u16();
    if (type != TpmPublic.RSA && type != TpmPublic.ECC) {
      throw AttestationException.bad(what + ": object type " + HashAlg.hex16(type) + " is not RSA or ECC");
    }
    int nameAlg = r.u16();
    HashAlg.of(nameAlg, what + ": name");
    int attributes = r.u32();
    byte[] authPolicy = r.tpm2b();
    SymDef sym = symmetric(what, r);
    TpmPublic p;
    if (type == TpmPublic.RSA) {
      Scheme scheme = scheme(what, r, true);
      int bits = r.u16();
      int exponent = r.u32();
      byte[] modulus = r.tpm2b();
      if (modulus.length * 8 != bits) {
        throw AttestationException.bad(what + ": RSA modulus of " + modulus.length + " bytes for keyBits " + bits);
      }
      p = new TpmPublic(type, nameAlg, attributes, authPolicy, sym, scheme, bits, exponent, 0,
          new Scheme(TpmPublic.NULL_ALG, 0), modulus, new byte[0], tpmt);
    } else {
      Scheme scheme = scheme(what, r, false);
      int curve = r.u16();
      Scheme kdf = kdf(what, r);
      byte[] x = r.tpm2b();
      byte[] y = r.tpm2b();
      p = new TpmPublic(type, nameAlg, attributes, authPolicy, sym, scheme, 0, 0, curve, kdf, x, y, tpmt);
    }
    r.end();
    return p;
  }

  private static SymDef symmetric(String what, TpmReader r) throws AttestationException {
    int alg = r.u16();
    if (alg == TpmPublic.NULL_ALG) return new SymDef(alg, 0, 0);
    if (alg != AES) {
      throw AttestationException.bad(what + ": symmetric algorithm " + HashAlg.hex16(alg) + " is not supported (AES)");
    }
    return new SymDef(alg, r.u16(), r.u16());
  }

  private static Scheme scheme(String what, TpmReader r, boolean rsa) throws AttestationException {
    int alg = r.u16();
    if (alg == TpmPublic.NULL_ALG) return new Scheme(alg, 0);
    if (rsa && alg == 0x0015) return new Scheme(alg, 0); // RSAES has no details
    boolean known = rsa ? (alg == 0x0014 || alg == 0x0016 || alg == 0x0017)
        : (alg >= 0x0018 && alg <= 0x001d);
    if (!known) throw AttestationException.bad(what + ": scheme " + HashAlg.hex16(alg) + " is not supported");
    int hash = r.u16();
    if (alg == 0x001a) r.u16(); // ECDAA carries a count
    return new Scheme(alg, hash);
  }

  private static Scheme kdf(String what, TpmReader r) throws AttestationException {
    int alg = r.u16();
    if (alg == TpmPublic.NULL_ALG) return new Scheme(alg, 0);
    if (alg != 0x0007 && (alg < 0x0020 || alg > 0x0022)) {
      throw AttestationException.bad(what + ": KDF " + HashAlg.hex16(alg) + " is not supported");
    }
    return new Scheme(alg, r.u16());
  }
}
