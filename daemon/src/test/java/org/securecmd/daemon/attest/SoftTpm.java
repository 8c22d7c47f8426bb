package org.securecmd.daemon.attest;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * TPM structures made in software for the table tests: public areas, TPMS_ATTEST and TPMT_SIGNATURE marshalled
 * as a TPM does, from JDK keys, so each row can change one thing and re-sign. Byte layouts follow TPM 2.0
 * Part 2 and match what swtpm produced in {@link SwtpmEvidenceTest}.
 */
final class SoftTpm {
  static final int SHA1 = 0x0004;
  static final int SHA256 = 0x000b;
  static final int SHA384 = 0x000c;
  static final int AES = 0x0006;
  static final int CFB = 0x0043;
  static final int NULL = 0x0010;
  static final int ECDSA = 0x0018;
  static final int RSASSA = 0x0014;
  static final int RSAPSS = 0x0016;
  /** fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt: the low-range EK. */
  static final int EK_ATTRIBUTES = 0x000300b2;
  /** fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, restricted, sign: tpm2_createak's AK. */
  static final int AK_ATTRIBUTES = 0x00050072;
  /** fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, sign: the TLS key of the notes. */
  static final int KEY_ATTRIBUTES = 0x00040072;

  private SoftTpm() {}

  /** The fields of a TPMT_PUBLIC; {@link #marshal} gives the TPM2B_PUBLIC. */
  record Area(int type, int nameAlg, int attributes, byte[] policy, int symAlg, int symBits, int schemeAlg,
      int schemeHash, PublicKey key) {
    Area withAttributes(int a) {
      return new Area(type, nameAlg, a, policy, symAlg, symBits, schemeAlg, schemeHash, key);
    }

    Area withNameAlg(int n) {
      return new Area(type, n, attributes, policy, symAlg, symBits, schemeAlg, schemeHash, key);
    }

    Area withType(int t) {
      return new Area(t, nameAlg, attributes, policy, symAlg, symBits, schemeAlg, schemeHash, key);
    }

    Area withScheme(int alg, int hash) {
      return new Area(type, nameAlg, attributes, policy, symAlg, symBits, alg, hash, key);
    }

    byte[] tpmt() {
      int t = type != 0 ? type : key instanceof RSAPublicKey ? 0x0001 : 0x0023;
      Out o = new Out().u16(t).u16(nameAlg).u32(attributes).b(policy);
      o.u16(symAlg);
      if (symAlg != NULL) o.u16(symBits).u16(CFB);
      o.u16(schemeAlg);
      if (schemeAlg != NULL) o.u16(schemeHash);
      if (key instanceof RSAPublicKey rsa) {
        int bits = rsa.getModulus().bitLength();
        o.u16(bits).u32(0).b(fixed(rsa.getModulus(), bits / 8));
      } else {
        ECPublicKey ec = (ECPublicKey) key;
        int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        o.u16(size == 32 ? 0x0003 : 0x0004).u16(NULL).b(fixed(ec.getW().getAffineX(), size))
            .b(fixed(ec.getW().getAffineY(), size));
      }
      return o.bytes();
    }

    byte[] marshal() {
      return new Out().b(tpmt()).bytes();
    }

    byte[] name() {
      HashAlg h = nameAlg == SHA384 ? HashAlg.SHA384 : HashAlg.SHA256;
      return TpmPublic.concat(h.idBytes(), h.digest(tpmt()));
    }
  }

  static Area ek(PublicKey key) {
    return new Area(0, SHA256, EK_ATTRIBUTES, new byte[32], AES, 128, NULL, 0, key);
  }

  static Area highRangeEk(PublicKey key) {
    return new Area(0, SHA384, EK_ATTRIBUTES | 0x40, new byte[48], AES, 256, NULL, 0, key);
  }

  static Area ak(PublicKey key) {
    return key instanceof RSAPublicKey ? new Area(0, SHA256, AK_ATTRIBUTES, new byte[0], NULL, 0, RSASSA, SHA256, key)
        : new Area(0, SHA256, AK_ATTRIBUTES, new byte[0], NULL, 0, ECDSA, SHA256, key);
  }

  static Area tlsKey(PublicKey key) {
    return new Area(0, SHA256, KEY_ATTRIBUTES, new byte[0], NULL, 0, NULL, 0, key);
  }

  /** QN(AK) under the EK, computed independently of {@link AttestationKey}. */
  static byte[] qualifiedName(Area ak, Area ek) {
    HashAlg eh = ek.nameAlg() == SHA384 ? HashAlg.SHA384 : HashAlg.SHA256;
    byte[] ekQn = TpmPublic.concat(eh.idBytes(), eh.digest(new byte[] {0x40, 0, 0, 0x0b}, ek.name()));
    return TpmPublic.concat(HashAlg.SHA256.idBytes(), HashAlg.SHA256.digest(ekQn, ak.name()));
  }

  static byte[] certifyAttest(int magic, int type, byte[] signer, byte[] nonce, byte[] name, byte[] qualifiedName) {
    return header(magic, type, signer, nonce).b(name).b(qualifiedName).bytes();
  }

  /** A quote over one bank's PCRs ({@code bank} hash), with the digest given. */
  static byte[] quoteAttest(byte[] signer, byte[] nonce, List<int[]> banks, byte[] pcrDigest) {
    Out o = header(0xff544347, 0x8018, signer, nonce).u32(banks.size());
    for (int[] bank : banks) {
      byte[] bitmap = new byte[3];
      for (int i = 1; i < bank.length; i++) bitmap[bank[i] / 8] |= (byte) (1 << (bank[i] % 8));
      o.u16(bank[0]).u8(3).raw(bitmap);
    }
    return o.b(pcrDigest).bytes();
  }

  private static Out header(int magic, int type, byte[] signer, byte[] nonce) {
    return new Out().u32(magic).u16(type).b(signer).b(nonce).raw(new byte[17]).raw(new byte[8]);
  }

  /** TPMT_SIGNATURE by {@code key}: ECDSA (r and s with leading zeros dropped, as a TPM may) or RSASSA/RSAPSS. */
  static byte[] sign(PrivateKey key, int scheme, int hash, byte[] message) throws Exception {
    String h = hash == SHA384 ? "SHA384" : hash == SHA1 ? "SHA1" : "SHA256";
    if (scheme == ECDSA) {
      Signature s = Signature.getInstance(h + "withECDSAinP1363Format");
      s.initSign(key);
      s.update(message);
      byte[] rs = s.sign();
      int n = rs.length / 2;
      return new Out().u16(scheme).u16(hash).b(strip(Arrays.copyOf(rs, n))).b(strip(Arrays.copyOfRange(rs, n, 2 * n))).bytes();
    }
    Signature s;
    if (scheme == RSAPSS) {
      s = Signature.getInstance("RSASSA-PSS");
      String jdk = h.replace("SHA", "SHA-");
      s.setParameter(new java.security.spec.PSSParameterSpec(jdk, "MGF1", new java.security.spec.MGF1ParameterSpec(jdk),
          hash == SHA384 ? 48 : 32, 1));
    } else {
      s = Signature.getInstance(h + "withRSA");
    }
    s.initSign(key);
    s.update(message);
    return new Out().u16(scheme).u16(hash).b(s.sign()).bytes();
  }

  static byte[] csr(KeyPair key, String cn) throws Exception {
    String alg = key.getPublic() instanceof RSAPublicKey ? "SHA256withRSA" : "SHA256withECDSA";
    return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), key.getPublic())
        .build(new JcaContentSignerBuilder(alg).build(key.getPrivate())).getEncoded();
  }

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static byte[] fixed(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    if (b.length > size) b = Arrays.copyOfRange(b, b.length - size, b.length);
    byte[] out = new byte[size];
    System.arraycopy(b, 0, out, size - b.length, b.length);
    return out;
  }

  private static byte[] strip(byte[] v) {
    int i = 0;
    while (i < v.length - 1 && v[i] == 0) i++;
    return Arrays.copyOfRange(v, i, v.length);
  }

  /** A big-endian writer for TPM structures. */
  static final class Out {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Out u8(int v) {
      out.write(v);
      return this;
    }

    Out u16(int v) {
      out.write(v >> 8);
      out.write(v);
      return this;
    }

    Out u32(int v) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
      return this;
    }

    /** A TPM2B. */
    Out b(byte[] v) {
      return u16(v.length).raw(v);
    }

    Out raw(byte[] v) {
      out.writeBytes(v);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
