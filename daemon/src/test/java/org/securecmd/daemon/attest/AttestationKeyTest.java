package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import org.securecmd.daemon.attest.AttestationException.Check;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The AK and EK public areas {@code ENROLL} accepts: parsing and the AK's attributes, one row per refusal. */
class AttestationKeyTest {
  static KeyPair ek;
  static KeyPair ecAk;
  static KeyPair rsaAk;

  @BeforeAll
  static void keys() throws Exception {
    ek = SoftTpm.rsa();
    ecAk = SoftTpm.ec("secp256r1");
    rsaAk = SoftTpm.rsa();
  }

  static SoftTpm.Area ecc() {
    return SoftTpm.ak(ecAk.getPublic());
  }

  static Stream<Arguments> refusals() {
    int base = SoftTpm.AK_ATTRIBUTES;
    return Stream.of(
        row("not restricted", ecc().withAttributes(base & ~0x10000).marshal(), "AK lacks the attribute restricted", Check.AK_ATTRIBUTES),
        row("cannot sign", ecc().withAttributes(base & ~0x40000).marshal(), "AK lacks the attribute sign", Check.AK_ATTRIBUTES),
        row("made outside the TPM", ecc().withAttributes(base & ~0x20).marshal(),
            "AK lacks the attribute sensitiveDataOrigin", Check.AK_ATTRIBUTES),
        row("may leave the TPM", ecc().withAttributes(base & ~0x2).marshal(), "AK lacks the attribute fixedTPM", Check.AK_ATTRIBUTES),
        row("may be duplicated", ecc().withAttributes(base & ~0x10).marshal(), "AK lacks the attribute fixedParent", Check.AK_ATTRIBUTES),
        row("decrypts too", ecc().withAttributes(base | 0x20000).marshal(), "AK has the attribute decrypt", Check.AK_ATTRIBUTES),
        row("SHA-1 name", ecc().withNameAlg(SoftTpm.SHA1).marshal(),
            "AK public area: name hash algorithm 0004 is not supported (sha256, sha384, sha512)", Check.MALFORMED),
        row("a keyed hash", ecc().withType(0x0008).marshal(), "AK public area: object type 0008 is not RSA or ECC", Check.MALFORMED),
        row("size prefix too large", edit(ecc().marshal(), b -> set16(b, 0, b.length)),
            "AK public area: truncated at offset 2", Check.MALFORMED),
        row("trailing byte", edit(ecc().marshal(), b -> {
          byte[] c = Arrays.copyOf(b, b.length + 1);
          return set16(c, 0, c.length - 2);
        }), "AK public area: 1 trailing bytes after offset 88", Check.MALFORMED),
        row("unknown symmetric algorithm", edit(ecc().marshal(), b -> set16(b, 12, 0x0025)),
            "AK public area: symmetric algorithm 0025 is not supported (AES)", Check.MALFORMED),
        row("unknown scheme", edit(ecc().marshal(), b -> set16(b, 14, 0x0099)), "AK public area: scheme 0099 is not supported", Check.MALFORMED),
        row("P-521", edit(ecc().marshal(), b -> set16(b, 18, 0x0005)),
            "AK public area: ECC curve 0005 is not supported (P-256, P-384)", Check.MALFORMED),
        row("RSA keyBits that do not fit the modulus", edit(SoftTpm.ak(rsaAk.getPublic()).marshal(), b -> set16(b, 18, 1024)),
            "AK public area: RSA modulus of 256 bytes for keyBits 1024", Check.MALFORMED),
        row("empty", new byte[0], "AK public area: truncated at offset 0", Check.MALFORMED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void eachUnfitAkIsRefusedWithItsReason(String what, byte[] akPublic, String reason, AttestationException.Check check) {
    AttestationException e = assertThrows(AttestationException.class,
        () -> AttestationKey.of(akPublic, SoftTpm.ek(ek.getPublic()).marshal()), what);
    assertEquals(reason, e.reason(), what);
    assertEquals(check, e.check(), what);
  }

  @Test
  void theNameIsTheNameAlgorithmAndTheHashOfThePublicAreaWithoutItsSize() throws Exception {
    SoftTpm.Area area = ecc();
    AttestationKey k = AttestationKey.of(area.marshal(), SoftTpm.ek(ek.getPublic()).marshal());
    byte[] tpmt = Arrays.copyOfRange(area.marshal(), 2, area.marshal().length);
    assertArrayEquals(TpmPublic.concat(new byte[] {0, 0x0b}, HashAlg.SHA256.digest(tpmt)), k.akName());
    assertArrayEquals(SoftTpm.qualifiedName(area, SoftTpm.ek(ek.getPublic())), k.qualifiedName());
  }

  @Test
  void theTlsKeyOfTheNotesHasTheAttributesACertifiedKeyNeeds() throws Exception {
    TpmPublic key = TpmPublic.parse("TLS key", SoftTpm.tlsKey(ecAk.getPublic()).marshal());
    assertEquals(0x00040072, key.attributes());
    KeyPolicy.checkTlsKey(key);
    assertEquals(TpmPublic.NULL_ALG, key.scheme().alg());
  }

  static Arguments row(String what, byte[] akPublic, String reason, AttestationException.Check check) {
    return Arguments.of(what, akPublic, reason, check);
  }

  static byte[] edit(byte[] b, UnaryOperator<byte[]> f) {
    return f.apply(b.clone());
  }

  static byte[] set16(byte[] b, int at, int v) {
    b[at] = (byte) (v >> 8);
    b[at + 1] = (byte) v;
    return b;
  }
}
