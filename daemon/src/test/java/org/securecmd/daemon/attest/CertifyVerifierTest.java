package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import org.securecmd.daemon.attest.AttestationException.Check;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The certify verdict, one row per mutated structure with its exact reason. */
class CertifyVerifierTest {
  static KeyPair ekKey;
  static KeyPair otherEkKey;
  static KeyPair akKey;
  static KeyPair rsaAkKey;
  static KeyPair otherAkKey;
  static KeyPair tlsKey;
  static KeyPair otherKey;

  @BeforeAll
  static void keys() throws Exception {
    ekKey = SoftTpm.rsa();
    otherEkKey = SoftTpm.rsa();
    akKey = SoftTpm.ec("secp256r1");
    rsaAkKey = SoftTpm.rsa();
    otherAkKey = SoftTpm.ec("secp256r1");
    tlsKey = SoftTpm.ec("secp256r1");
    otherKey = SoftTpm.ec("secp256r1");
  }

  /** One certify exchange; every field starts valid, rows change one. */
  static final class Case {
    SoftTpm.Area ek = SoftTpm.ek(ekKey.getPublic());
    SoftTpm.Area ak = SoftTpm.ak(akKey.getPublic());
    PrivateKey signingKey = akKey.getPrivate();
    int sigScheme = SoftTpm.ECDSA;
    int sigHash = SoftTpm.SHA256;
    SoftTpm.Area key = SoftTpm.tlsKey(tlsKey.getPublic());
    byte[] nonce = new byte[32];
    byte[] extraData = nonce.clone();
    int magic = 0xff544347;
    int type = 0x8017;
    byte[] signer;
    byte[] certifiedName;
    byte[] csr;
    java.util.function.UnaryOperator<byte[]> attestEdit = b -> b;
    java.util.function.UnaryOperator<byte[]> signatureEdit = b -> b;
    java.util.function.UnaryOperator<byte[]> csrEdit = b -> b;

    Case() {
      Arrays.fill(nonce, (byte) 7);
      extraData = nonce.clone();
    }

    AttestedKey verify() throws Exception {
      byte[] qs = signer != null ? signer : SoftTpm.qualifiedName(ak, ek);
      byte[] name = certifiedName != null ? certifiedName : key.name();
      byte[] attest = type == 0x8018
          ? SoftTpm.quoteAttest(qs, extraData, List.of(new int[] {SoftTpm.SHA256, 0}), new byte[32])
          : SoftTpm.certifyAttest(magic, type, qs, extraData, name, new byte[34]);
      attest = attestEdit.apply(attest);
      byte[] sig = signatureEdit.apply(SoftTpm.sign(signingKey, sigScheme, sigHash, attest));
      byte[] request = csrEdit.apply(csr != null ? csr : SoftTpm.csr(tlsKey, "device-1"));
      return CertifyVerifier.verify(AttestationKey.of(ak.marshal(), ek.marshal()), nonce, request, key.marshal(),
          attest, sig);
    }
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        row("magic", c -> c.magic = 0xff544348, "TPMS_ATTEST magic is ff544348, not ff544347", Check.MALFORMED),
        row("a quote instead of a certify", c -> c.type = 0x8018, "TPMS_ATTEST type 8018 is not certify (8017)", Check.MALFORMED),
        row("another attestation type", c -> c.type = 0x8014,
            "TPMS_ATTEST type 8014 is neither certify (8017) nor quote (8018)", Check.MALFORMED),
        row("truncated", c -> c.attestEdit = b -> Arrays.copyOf(b, b.length - 1), "TPMS_ATTEST: truncated at offset 139", Check.MALFORMED),
        row("trailing byte", c -> c.attestEdit = b -> Arrays.copyOf(b, b.length + 1),
            "TPMS_ATTEST: 1 trailing bytes after offset 173", Check.MALFORMED),
        row("signed by another AK", c -> c.signingKey = otherAkKey.getPrivate(),
            "certify signature does not verify with the AK", Check.SIGNATURE),
        row("signature altered", c -> c.signatureEdit = b -> flipLast(b), "certify signature does not verify with the AK", Check.SIGNATURE),
        row("signature with SHA-1", c -> c.sigHash = SoftTpm.SHA1,
            "signature hash algorithm 0004 is not supported (sha256, sha384, sha512)", Check.MALFORMED),
        row("signature of another scheme than the AK's", c -> c.sigHash = SoftTpm.SHA384,
            "certify signature scheme differs from the AK's own scheme", Check.SIGNATURE),
        row("RSA signature from an ECC AK", c -> {
          c.signingKey = rsaAkKey.getPrivate();
          c.sigScheme = SoftTpm.RSASSA;
        }, "certify signature scheme 0014 does not fit the AK", Check.SIGNATURE),
        row("unknown signature scheme", c -> c.signatureEdit = b -> set16(b, 0, 0x001a),
            "signature scheme 001a is not supported (rsassa, rsapss, ecdsa)", Check.MALFORMED),
        row("replayed: another nonce", c -> c.extraData = new byte[32], "certify extraData is not this connection's nonce", Check.NONCE),
        row("the AK under another EK", c -> c.signer = SoftTpm.qualifiedName(c.ak, SoftTpm.ek(otherEkKey.getPublic())),
            "certify qualifiedSigner is not the AK under this EK", Check.QUALIFIED_SIGNER),
        row("another key certified", c -> c.certifiedName = SoftTpm.tlsKey(otherKey.getPublic()).name(),
            "certified Name is not the Name of the TLS key's public area", Check.CERTIFIED_NAME),
        row("imported key", c -> c.key = c.key.withAttributes(0x00040040),
            "TLS key lacks the attribute sensitiveDataOrigin", Check.KEY_ATTRIBUTES),
        row("key without fixedTPM", c -> c.key = c.key.withAttributes(SoftTpm.KEY_ATTRIBUTES & ~0x2),
            "TLS key lacks the attribute fixedTPM", Check.KEY_ATTRIBUTES),
        row("key without fixedParent", c -> c.key = c.key.withAttributes(SoftTpm.KEY_ATTRIBUTES & ~0x10),
            "TLS key lacks the attribute fixedParent", Check.KEY_ATTRIBUTES),
        row("key that cannot sign", c -> c.key = c.key.withAttributes(SoftTpm.KEY_ATTRIBUTES & ~0x40000),
            "TLS key lacks the attribute sign", Check.KEY_ATTRIBUTES),
        row("key that decrypts", c -> c.key = c.key.withAttributes(SoftTpm.KEY_ATTRIBUTES | 0x20000),
            "TLS key has the attribute decrypt", Check.KEY_ATTRIBUTES),
        row("key with a SHA-1 name", c -> {
          c.key = c.key.withNameAlg(SoftTpm.SHA1);
          c.certifiedName = new byte[22];
        }, "TLS key public area: name hash algorithm 0004 is not supported (sha256, sha384, sha512)", Check.MALFORMED),
        row("CSR of another key", c -> c.csr = uncheck(() -> SoftTpm.csr(otherKey, "device-1")),
            "the CSR's key is not the certified key", Check.CSR),
        row("CSR with a broken signature", c -> c.csrEdit = b -> flipLast(b), "CSR: the CSR's signature does not verify", Check.CSR),
        row("AK without restricted", c -> c.ak = c.ak.withAttributes(SoftTpm.AK_ATTRIBUTES & ~0x10000),
            "AK lacks the attribute restricted", Check.AK_ATTRIBUTES));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void eachBrokenCertifyIsRefusedWithItsReason(String what, Consumer<Case> mutation, String reason, AttestationException.Check check) {
    Case c = new Case();
    mutation.accept(c);
    AttestationException e = assertThrows(AttestationException.class, c::verify, what);
    assertEquals(reason, e.reason(), what);
    assertEquals(check, e.check(), what);
    assertEquals(AttestationException.Kind.BAD_ATTESTATION, e.kind());
  }

  @Test
  void aValidCertifyGivesTheCsrKeyAndTheKeyName() throws Exception {
    Case c = new Case();
    AttestedKey k = c.verify();
    assertTrue(TpmKeys.sameKey(tlsKey.getPublic(), k.publicKey()));
    assertArrayEquals(c.key.name(), k.keyName());
    assertEquals("device-1", k.csrCommonName());
  }

  @Test
  void ecdsaValuesTheTpmShortenedAreLeftPadded() throws Exception {
    // About one signature in 128 has an r or s with a leading zero byte, which the TPM drops; sign until
    // one does, so the padding is exercised for certain.
    TpmPublic ak = TpmPublic.parse("AK", SoftTpm.ak(akKey.getPublic()).marshal());
    byte[] message = "attest".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int i = 0; i < 5000; i++) {
      byte[] sig = SoftTpm.sign(akKey.getPrivate(), SoftTpm.ECDSA, SoftTpm.SHA256, message);
      if (sig.length < 4 + 2 + 32 + 2 + 32) {
        TpmSignature.parse(sig).verify(ak, "AK", message, "test");
        return;
      }
    }
    throw new AssertionError("no shortened ECDSA value in 5000 signatures");
  }

  @Test
  void rsaAksSignWithRsassaOrRsapss() throws Exception {
    for (int scheme : new int[] {SoftTpm.RSASSA, SoftTpm.RSAPSS}) {
      Case c = new Case();
      c.ak = SoftTpm.ak(rsaAkKey.getPublic()).withScheme(scheme, SoftTpm.SHA256);
      c.signingKey = rsaAkKey.getPrivate();
      c.sigScheme = scheme;
      c.verify();
    }
  }

  static Arguments row(String what, Consumer<Case> mutation, String reason, AttestationException.Check check) {
    return Arguments.of(what, mutation, reason, check);
  }

  static byte[] flipLast(byte[] b) {
    byte[] c = b.clone();
    c[c.length - 1] ^= 1;
    return c;
  }

  static byte[] set16(byte[] b, int at, int v) {
    byte[] c = b.clone();
    c[at] = (byte) (v >> 8);
    c[at + 1] = (byte) v;
    return c;
  }

  interface Make {
    byte[] get() throws Exception;
  }

  static byte[] uncheck(Make m) {
    try {
      return m.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
