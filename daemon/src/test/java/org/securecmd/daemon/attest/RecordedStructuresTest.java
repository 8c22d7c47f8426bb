package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.securecmd.daemon.attest.AttestationException.Check;
import org.securecmd.tls.CertificationRequest;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.EndorsementKeyType;
import org.securecmd.tpm.KeyTemplate;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.PcrValues;
import org.securecmd.tpm.Swtpm;
import org.securecmd.tpm.Tpm;
import org.securecmd.tpm.TpmException;

/**
 * The certify and quote verdicts against structures a real TPM made (issues 24 and 25: table tests with
 * recorded TPM structures). Once per class the device's own TPM layer drives a swtpm as {@code enroll} and
 * {@code --attest} do: an AK under the RSA EK, a TLS key under the storage root key, TPM2_Certify of it with
 * a nonce, a CSR signed by it in the TPM, TPM2_Quote of sha256:0,2,7 and the PCR values. The bytes are kept
 * in memory only. The untouched recordings pass; each row changes one thing and pins the exact reason and
 * check. The verifiers check the signature before any other field, so a flipped signed byte is a signature
 * refusal, and the later checks are reached by what a signature cannot cover (another nonce expected,
 * another EK, other PCR values sent).
 */
class RecordedStructuresTest {
  private static final List<Integer> QUOTED = List.of(0, 2, 7);
  /** Offset of qualifiedSigner's size in a TPMS_ATTEST: after magic (4) and type (2). */
  private static final int SIGNER = 6;

  @TempDir static Path dir;
  static Swtpm swtpm;
  static Recording rec;

  /** What the TPM made, raw as the wire carries it. */
  record Recording(byte[] ekPublic, byte[] otherEkPublic, byte[] akPublic, byte[] otherAkPublic, byte[] keyPublic,
      byte[] csr, byte[] certifyNonce, byte[] certify, byte[] certifySignature, byte[] quoteNonce, byte[] quote,
      byte[] quoteSignature, byte[] pcrValues) {}

  @BeforeAll
  static void record() throws Exception {
    swtpm = Swtpm.start(dir);
    try (Tpm tpm = swtpm.open()) {
      LoadedKey ek = tpm.endorsementKey(EndorsementKeyType.RSA_2048);
      LoadedKey otherEk = tpm.endorsementKey(EndorsementKeyType.ECC_P384);
      LoadedKey ak = tpm.load(ek, tpm.create(ek, KeyTemplate.attestationKey()));
      byte[] otherAkPublic = tpm.create(ek, KeyTemplate.attestationKey()).publicArea().marshalled();
      LoadedKey srk = tpm.storageRootKey();
      LoadedKey tls = tpm.load(srk, tpm.create(srk, KeyTemplate.tlsKey()));
      byte[] certifyNonce = tpm.getRandom(32);
      Attestation certify = tpm.certify(tls, ak, certifyNonce);
      byte[] csr = CertificationRequest.der(tls.publicArea().publicKey(), "device-1", tbs -> {
        try {
          org.securecmd.tpm.TpmSignature s = tpm.sign(tls, MessageDigest.getInstance("SHA-256").digest(tbs));
          return CertificationRequest.ecdsaDer(s.r(), s.s());
        } catch (TpmException e) {
          throw new GeneralSecurityException(e);
        }
      });
      // measured boot's part: PCRs 2 and 7 differ from each other and from PCR 0, so order matters
      tpm.pcrExtend(2, MessageDigest.getInstance("SHA-256").digest(new byte[] {2}));
      tpm.pcrExtend(7, MessageDigest.getInstance("SHA-256").digest(new byte[] {7}));
      byte[] quoteNonce = tpm.getRandom(32);
      org.securecmd.tpm.PcrSelection selection = org.securecmd.tpm.PcrSelection.sha256(0, 2, 7);
      Attestation quote = tpm.quote(ak, quoteNonce, selection);
      PcrValues values = tpm.pcrRead(selection);
      rec = new Recording(ek.publicArea().marshalled(), otherEk.publicArea().marshalled(),
          ak.publicArea().marshalled(), otherAkPublic, tls.publicArea().marshalled(), csr, certifyNonce,
          certify.attest(), certify.signatureBytes(), quoteNonce, quote.attest(), quote.signatureBytes(),
          values.concatenated());
      for (LoadedKey k : List.of(tls, srk, ak, otherEk, ek)) {
        if (k.isTransient()) tpm.flushContext(k.handle());
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (swtpm != null) swtpm.close();
  }

  /** One certify check: every field starts as recorded, a row changes one. */
  static final class CertifyCase {
    byte[] akPublic = rec.akPublic().clone();
    byte[] ekPublic = rec.ekPublic().clone();
    byte[] nonce = rec.certifyNonce().clone();
    byte[] csr = rec.csr().clone();
    byte[] keyPublic = rec.keyPublic().clone();
    byte[] attest = rec.certify().clone();
    byte[] signature = rec.certifySignature().clone();

    AttestedKey verify() throws AttestationException {
      return CertifyVerifier.verify(AttestationKey.of(akPublic, ekPublic), nonce, csr, keyPublic, attest, signature);
    }
  }

  /** One quote check: every field starts as recorded, a row changes one. */
  static final class QuoteCase {
    byte[] akPublic = rec.akPublic().clone();
    byte[] ekPublic = rec.ekPublic().clone();
    byte[] nonce = rec.quoteNonce().clone();
    byte[] attest = rec.quote().clone();
    byte[] signature = rec.quoteSignature().clone();
    byte[] values = rec.pcrValues().clone();
    List<Integer> required = QUOTED;

    VerifiedQuote verify() throws AttestationException {
      return QuoteVerifier.verify(AttestationKey.of(akPublic, ekPublic), nonce, attest, signature, values, required);
    }
  }

  @Test
  void theRecordedCertifyPassesAndNamesTheTpmKeyAndTheCsrName() throws Exception {
    AttestedKey key = new CertifyCase().verify();
    assertEquals("device-1", key.csrCommonName());
    assertArrayEquals(TpmPublic.parse("k", rec.keyPublic()).name("k"), key.keyName());
    assertTrue(TpmKeys.sameKey(key.publicKey(),
        TpmPublic.parse("k", rec.keyPublic()).publicKey("k")), "the CSR's key is the TPM key");
  }

  @Test
  void theRecordedCertifyPassesWithTheAkAsRecordedAtEnrollment() throws Exception {
    CertifyCase c = new CertifyCase();
    AttestedKey key = CertifyVerifier.verify(AttestationKey.enrolled(c.akPublic), c.nonce, c.csr, c.keyPublic,
        c.attest, c.signature);
    assertEquals("device-1", key.csrCommonName());
  }

  @Test
  void theRecordedQuotePassesAndCarriesThePcrReadValues() throws Exception {
    VerifiedQuote q = new QuoteCase().verify();
    assertEquals(QUOTED, List.copyOf(q.pcrs().keySet()));
    for (int i = 0; i < QUOTED.size(); i++) {
      assertArrayEquals(Arrays.copyOfRange(rec.pcrValues(), i * 32, i * 32 + 32), q.pcrs().get(QUOTED.get(i)));
    }
    assertArrayEquals(HashAlg.SHA256.digest(rec.pcrValues()), q.valuesSha256());
    assertArrayEquals(HashAlg.SHA256.digest(new byte[32], HashAlg.SHA256.digest(new byte[] {7})), q.pcrs().get(7),
        "PCR 7 as this test extended it");
    QuoteCase c = new QuoteCase();
    assertEquals(QUOTED, List.copyOf(QuoteVerifier.verify(AttestationKey.enrolled(c.akPublic), c.nonce, c.attest,
        c.signature, c.values, List.of(7)).pcrs().keySet()), "with the AK as recorded at enrollment");
  }

  static Stream<Arguments> certifyRefusals() {
    return Stream.of(
        certify("magic ff544347 changed", c -> c.attest[0] = 0x00, Check.MALFORMED,
            "TPMS_ATTEST magic is 00544347, not ff544347"),
        certify("type certify 8017 changed to quote 8018", c -> c.attest[5] = 0x18, Check.MALFORMED,
            "quote: PCR selection with 2228235 banks"),
        certify("type changed to an unknown one", c -> c.attest[5] = 0x14, Check.MALFORMED,
            "TPMS_ATTEST type 8014 is neither certify (8017) nor quote (8018)"),
        certify("TPMS_ATTEST truncated by one byte", c -> c.attest = Arrays.copyOf(c.attest, c.attest.length - 1),
            Check.MALFORMED, "TPMS_ATTEST: truncated at offset 139"),
        certify("TPMS_ATTEST truncated inside extraData", c -> c.attest = Arrays.copyOf(c.attest, extraData(c.attest) + 5),
            Check.MALFORMED, "TPMS_ATTEST: truncated at offset 44"),
        certify("a trailing byte after the TPMS_ATTEST", c -> c.attest = Arrays.copyOf(c.attest, c.attest.length + 1),
            Check.MALFORMED, "TPMS_ATTEST: 1 trailing bytes after offset 173"),
        certify("extraData byte flipped", c -> c.attest[extraData(c.attest)] ^= 1, Check.SIGNATURE,
            "certify signature does not verify with the AK"),
        certify("another nonce expected", c -> c.nonce[0] ^= 1, Check.NONCE,
            "certify extraData is not this connection's nonce"),
        certify("a signature byte flipped", c -> c.signature[c.signature.length - 1] ^= 1, Check.SIGNATURE,
            "certify signature does not verify with the AK"),
        certify("qualifiedSigner byte flipped", c -> c.attest[SIGNER + 2 + 5] ^= 1, Check.SIGNATURE,
            "certify signature does not verify with the AK"),
        certify("certified Name byte flipped", c -> c.attest[certifiedName(c.attest) + 5] ^= 1, Check.SIGNATURE,
            "certify signature does not verify with the AK"),
        certify("the AK offered with another EK of the same TPM", c -> c.ekPublic = rec.otherEkPublic().clone(),
            Check.QUALIFIED_SIGNER, "certify qualifiedSigner is not the AK under this EK"),
        certify("verified with another AK of the same TPM", c -> c.akPublic = rec.otherAkPublic().clone(),
            Check.SIGNATURE, "certify signature does not verify with the AK"),
        // The attributes are part of the public area the Name hashes: the Name check comes first.
        certify("key attribute sensitiveDataOrigin cleared", c -> c.keyPublic[9] &= ~0x20, Check.CERTIFIED_NAME,
            "certified Name is not the Name of the TLS key's public area"),
        certify("key attribute decrypt set", c -> c.keyPublic[7] |= 0x02, Check.CERTIFIED_NAME,
            "certified Name is not the Name of the TLS key's public area"),
        certify("CSR of another key", c -> c.csr = otherCsr(), Check.CSR, "the CSR's key is not the certified key"),
        certify("CSR signature byte flipped", c -> c.csr[c.csr.length - 1] ^= 1, Check.CSR, "CSR: the CSR's signature does not verify"));
  }

  static Stream<Arguments> quoteRefusals() {
    return Stream.of(
        quote("magic ff544347 changed", q -> q.attest[3] = 0x48, Check.MALFORMED,
            "TPMS_ATTEST magic is ff544348, not ff544347"),
        quote("type quote 8018 changed to certify 8017", q -> q.attest[5] = 0x17, Check.MALFORMED,
            "TPMS_ATTEST: 39 trailing bytes after offset 106"),
        quote("TPMS_ATTEST truncated by one byte", q -> q.attest = Arrays.copyOf(q.attest, q.attest.length - 1),
            Check.MALFORMED, "TPMS_ATTEST: truncated at offset 113"),
        quote("a trailing byte after the TPMS_ATTEST", q -> q.attest = Arrays.copyOf(q.attest, q.attest.length + 1),
            Check.MALFORMED, "TPMS_ATTEST: 1 trailing bytes after offset 145"),
        quote("extraData byte flipped", q -> q.attest[extraData(q.attest)] ^= 1, Check.SIGNATURE,
            "quote signature does not verify with the AK"),
        quote("another nonce expected", q -> q.nonce[31] ^= 1, Check.NONCE,
            "quote extraData is not this connection's nonce"),
        quote("a signature byte flipped", q -> q.signature[q.signature.length - 1] ^= 1, Check.SIGNATURE,
            "quote signature does not verify with the AK"),
        quote("qualifiedSigner byte flipped", q -> q.attest[SIGNER + 2 + 5] ^= 1, Check.SIGNATURE,
            "quote signature does not verify with the AK"),
        quote("verified with another AK of the same TPM", q -> q.akPublic = rec.otherAkPublic().clone(),
            Check.SIGNATURE, "quote signature does not verify with the AK"),
        quote("the AK offered with another EK of the same TPM", q -> q.ekPublic = rec.otherEkPublic().clone(),
            Check.QUALIFIED_SIGNER, "quote qualifiedSigner is not the AK under this EK"),
        quote("a required PCR not in the selection", q -> q.required = List.of(0, 2, 4, 7), Check.PCR_SELECTION,
            "quote does not cover PCR 4"),
        quote("fewer PCR values than selected", q -> q.values = Arrays.copyOf(q.values, 64), Check.PCR_VALUES,
            "64 bytes of PCR values for 3 selected PCRs (32 bytes each)"),
        quote("more PCR values than selected", q -> q.values = Arrays.copyOf(q.values, 128), Check.PCR_VALUES,
            "128 bytes of PCR values for 3 selected PCRs (32 bytes each)"),
        quote("PCR values not hashing to the digest", q -> q.values[64] ^= 1, Check.PCR_VALUES,
            "PCR values do not hash to the quoted pcrDigest"),
        quote("PCR values sent in another order", q -> q.values = swapFirstTwo(q.values), Check.PCR_VALUES,
            "PCR values do not hash to the quoted pcrDigest"));
  }

  @ParameterizedTest(name = "certify: {0}")
  @MethodSource("certifyRefusals")
  void aChangedCertifyIsRefusedWithItsReason(String row, Consumer<CertifyCase> change, Check check, String reason) {
    CertifyCase c = new CertifyCase();
    change.accept(c);
    AttestationException e = assertThrows(AttestationException.class, c::verify, row);
    assertEquals(reason, e.reason(), row);
    assertEquals(check, e.check(), row);
    assertEquals(AttestationException.Kind.BAD_ATTESTATION, e.kind(), row);
  }

  @ParameterizedTest(name = "quote: {0}")
  @MethodSource("quoteRefusals")
  void aChangedQuoteIsRefusedWithItsReason(String row, Consumer<QuoteCase> change, Check check, String reason) {
    QuoteCase q = new QuoteCase();
    change.accept(q);
    AttestationException e = assertThrows(AttestationException.class, q::verify, row);
    assertEquals(reason, e.reason(), row);
    assertEquals(check, e.check(), row);
    assertEquals(AttestationException.Kind.BAD_ATTESTATION, e.kind(), row);
  }

  private static Arguments certify(String row, Consumer<CertifyCase> change, Check check, String reason) {
    return Arguments.of(row, change, check, reason);
  }

  private static Arguments quote(String row, Consumer<QuoteCase> change, Check check, String reason) {
    return Arguments.of(row, change, check, reason);
  }

  /** Offset of extraData's first content byte: after qualifiedSigner and extraData's own size. */
  private static int extraData(byte[] attest) {
    return SIGNER + 2 + u16(attest, SIGNER) + 2;
  }

  /** Offset of certifiedName's size: after extraData, clockInfo (17) and firmwareVersion (8). */
  private static int certifiedName(byte[] attest) {
    int extraSize = SIGNER + 2 + u16(attest, SIGNER);
    return extraSize + 2 + u16(attest, extraSize) + 17 + 8;
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static byte[] swapFirstTwo(byte[] values) {
    byte[] out = values.clone();
    System.arraycopy(values, 32, out, 0, 32);
    System.arraycopy(values, 0, out, 32, 32);
    return out;
  }

  /** A CSR of a software key: well formed and self-signed, but not of the certified key. */
  private static byte[] otherCsr() {
    try {
      var kp = java.security.KeyPairGenerator.getInstance("EC");
      kp.initialize(256);
      var k = kp.generateKeyPair();
      return CertificationRequest.der(k.getPublic(), k.getPrivate(), "device-1");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
