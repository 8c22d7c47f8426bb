package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import org.securecmd.daemon.attest.AttestationException.Check;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The quote verdict and the state match, one row per mutated structure with its exact reason. */
class QuoteVerifierTest {
  static KeyPair ekKey;
  static KeyPair akKey;
  static KeyPair otherAkKey;

  @BeforeAll
  static void keys() throws Exception {
    ekKey = SoftTpm.ec("secp384r1");
    akKey = SoftTpm.ec("secp256r1");
    otherAkKey = SoftTpm.ec("secp256r1");
  }

  static byte[] value(int pcr) {
    byte[] v = new byte[32];
    Arrays.fill(v, (byte) pcr);
    return v;
  }

  /** A quote of PCRs 0, 2 and 7 of the SHA-256 bank; every field starts valid, rows change one. */
  static final class Case {
    SoftTpm.Area ek = SoftTpm.highRangeEk(ekKey.getPublic());
    SoftTpm.Area ak = SoftTpm.ak(akKey.getPublic());
    PrivateKey signingKey = akKey.getPrivate();
    byte[] nonce = new byte[32];
    byte[] extraData = new byte[32];
    byte[] signer;
    List<int[]> banks = new ArrayList<>(List.of(new int[] {SoftTpm.SHA256, 0, 2, 7}));
    byte[] values = TpmPublic.concat(value(0), value(2), value(7));
    byte[] digest;
    List<Integer> required = List.of(0, 7);
    boolean certify;

    VerifiedQuote verify() throws Exception {
      byte[] qs = signer != null ? signer : SoftTpm.qualifiedName(ak, ek);
      byte[] d = digest != null ? digest : HashAlg.SHA256.digest(TpmPublic.concat(value(0), value(2), value(7)));
      byte[] attest = certify ? SoftTpm.certifyAttest(0xff544347, 0x8017, qs, extraData, new byte[34], new byte[34])
          : SoftTpm.quoteAttest(qs, extraData, banks, d);
      byte[] sig = SoftTpm.sign(signingKey, SoftTpm.ECDSA, SoftTpm.SHA256, attest);
      return QuoteVerifier.verify(AttestationKey.of(ak.marshal(), ek.marshal()), nonce, attest, sig, values, required);
    }
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        row("a certify instead of a quote", c -> c.certify = true, "TPMS_ATTEST type 8017 is not quote (8018)", Check.MALFORMED),
        row("replayed: an old nonce", c -> c.extraData = new byte[] {1, 2, 3},
            "quote extraData is not this connection's nonce", Check.NONCE),
        row("signed by another TPM's AK", c -> c.signingKey = otherAkKey.getPrivate(),
            "quote signature does not verify with the AK", Check.SIGNATURE),
        row("the AK under another EK", c -> c.signer = new byte[34], "quote qualifiedSigner is not the AK under this EK", Check.QUALIFIED_SIGNER),
        row("the SHA-1 bank", c -> c.banks = List.of(new int[] {SoftTpm.SHA1, 0, 2, 7}),
            "quote must select PCRs of the sha256 bank only", Check.PCR_SELECTION),
        row("two banks", c -> c.banks = List.of(new int[] {SoftTpm.SHA256, 0, 2, 7}, new int[] {SoftTpm.SHA1, 0}),
            "quote must select PCRs of the sha256 bank only", Check.PCR_SELECTION),
        row("nothing selected", c -> c.banks = List.of(new int[] {SoftTpm.SHA256}),
            "quote must select PCRs of the sha256 bank only", Check.PCR_SELECTION),
        row("too few PCRs", c -> c.required = List.of(0, 4, 7), "quote does not cover PCR 4", Check.PCR_SELECTION),
        row("a value missing", c -> c.values = TpmPublic.concat(value(0), value(2)),
            "64 bytes of PCR values for 3 selected PCRs (32 bytes each)", Check.PCR_VALUES),
        row("values that do not hash to the digest", c -> c.values = TpmPublic.concat(value(0), value(3), value(7)),
            "PCR values do not hash to the quoted pcrDigest", Check.PCR_VALUES),
        row("values in another order", c -> c.values = TpmPublic.concat(value(7), value(2), value(0)),
            "PCR values do not hash to the quoted pcrDigest", Check.PCR_VALUES));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void eachBrokenQuoteIsRefusedWithItsReason(String what, Consumer<Case> mutation, String reason, AttestationException.Check check) {
    Case c = new Case();
    mutation.accept(c);
    AttestationException e = assertThrows(AttestationException.class, c::verify, what);
    assertEquals(reason, e.reason(), what);
    assertEquals(check, e.check(), what);
  }

  @Test
  void anAkRecordedAtEnrollmentVerifiesQuotesWithoutItsEk() throws Exception {
    // QUOTE finds the AK in the enrollment records, which keep its public area only: credential activation
    // tied it to its EK when it enrolled, so its qualifiedSigner (which needs the EK) is not compared again
    Case c = new Case();
    byte[] attest = SoftTpm.quoteAttest(SoftTpm.qualifiedName(c.ak, c.ek), c.extraData, c.banks,
        HashAlg.SHA256.digest(c.values));
    byte[] sig = SoftTpm.sign(akKey.getPrivate(), SoftTpm.ECDSA, SoftTpm.SHA256, attest);
    AttestationKey enrolled = AttestationKey.enrolled(c.ak.marshal());
    assertEquals(List.of(0, 2, 7), List.copyOf(QuoteVerifier.verify(enrolled, c.nonce, attest, sig, c.values,
        List.of()).pcrs().keySet()));
    byte[] other = SoftTpm.sign(otherAkKey.getPrivate(), SoftTpm.ECDSA, SoftTpm.SHA256, attest);
    AttestationException e = assertThrows(AttestationException.class,
        () -> QuoteVerifier.verify(enrolled, c.nonce, attest, other, c.values, List.of()));
    assertEquals(Check.SIGNATURE, e.check(), "the signature is still checked with the recorded AK");
  }

  @Test
  void aValidQuoteGivesEachSelectedValueAndTheirDigest() throws Exception {
    VerifiedQuote q = new Case().verify();
    assertEquals(List.of(0, 2, 7), List.copyOf(q.pcrs().keySet()));
    assertArrayEquals(value(2), q.pcrs().get(2));
    assertArrayEquals(HashAlg.SHA256.digest(TpmPublic.concat(value(0), value(2), value(7))), q.valuesSha256());
  }

  @Test
  void aStateIsSatisfiedByAnyOfItsValueSetsOverThePcrsItNames() throws Exception {
    VerifiedQuote q = new Case().verify();
    PcrState golden = new PcrState("golden", List.of(7, 0),
        List.of(Map.of(0, value(9), 7, value(9)), Map.of(0, value(0), 7, value(7))));
    PcrState changed = new PcrState("changed", List.of(0, 7), List.of(Map.of(0, value(0), 7, value(8))));
    PcrState uncovered = new PcrState("uncovered", List.of(4), List.of(Map.of(4, value(4))));
    PcrState empty = new PcrState("empty", List.of(0), List.of());
    assertEquals(List.of("golden"), PcrState.satisfied(List.of(golden, changed, uncovered, empty), q));
    assertEquals(List.of(0, 7), golden.pcrs());
  }

  @Test
  void aStateMustNamePcrsAndEachValueSetExactlyThoseWithSha256Values() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PcrState("golden", List.of(0, 7), List.of(Map.of(0, value(0)))));
    assertEquals("state golden: a value set names PCRs [0], not exactly [0, 7]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new PcrState("golden", List.of(0), List.of(Map.of(0, new byte[20]))));
    assertEquals("state golden: PCR 0 value is 20 bytes, not 32 (SHA-256)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new PcrState("any", List.of(), List.of()));
    assertEquals("state any: no PCRs (it would accept any device)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new PcrState("x", List.of(24), List.of()));
    assertEquals("state x: PCR 24 is not 0-23", e.getMessage());
  }

  @Test
  void anEmptyServerNonceIsAProgrammingErrorNotAMatch() {
    Case c = new Case();
    c.nonce = new byte[0];
    c.extraData = new byte[0];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::verify);
    assertEquals("the server nonce is empty", e.getMessage());
  }

  @Test
  void aSelectionOfManyBanksIsRefusedBeforeItIsRead() {
    byte[] attest = new SoftTpm.Out().u32(0xff544347).u16(0x8018).b(new byte[34]).b(new byte[32])
        .raw(new byte[25]).u32(100000).bytes();
    AttestationException e = assertThrows(AttestationException.class, () -> TpmsAttest.parse(attest));
    assertEquals("quote: PCR selection with 100000 banks", e.reason());
  }

  static Arguments row(String what, Consumer<Case> mutation, String reason, AttestationException.Check check) {
    return Arguments.of(what, mutation, reason, check);
  }
}
