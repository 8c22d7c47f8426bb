package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.tpm.Swtpm;

/**
 * The verifiers against a real TPM (swtpm, manufactured with EK certificates from this test's own CA):
 * our MakeCredential is activated by the TPM for its RSA-2048 and its P-384 EK (and a P-256 EK that
 * tpm2_createek makes without a certificate), and what tpm2-tools makes
 * (TPM2_Certify, TPM2_Quote) passes our checks, while an imported key is refused. One TPM for the class.
 */
class SwtpmEvidenceTest {
  static final String RSA_AK = "0x81018000";
  static final String ECC_AK = "0x81018001";
  static final String TLS_KEY = "0x81000002";
  /** tpm2-tools 5.4's tpm2_certify cannot take qualifying data; it always sends these bytes. */
  static final byte[] CERTIFY_EXTRA_DATA = HexFormat.of().parseHex("00ff55aa");
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir
  static Path dir;
  static Swtpm tpm;

  @BeforeAll
  static void manufacture() throws Exception {
    tpm = Swtpm.start(dir);
    TpmSetup.keys(tpm);
  }

  @AfterAll
  static void stop() throws Exception {
    if (tpm != null) tpm.close();
  }

  @Test
  void ourCredentialForTheRsaEkIsActivatedByTheTpm() throws Exception {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    TpmPublic ek = TpmPublic.parse("EK", tpm.read("ekrsa.pub"));
    TpmPublic ak = TpmPublic.parse("AK", tpm.read("akrsa.pub"));
    assertArrayEquals(tpm.read("akrsa.name"), ak.name("AK"), "our Name of the AK is the TPM's");
    MakeCredential.Blob blob = MakeCredential.make(ek, ak.name("AK"), secret, RANDOM);
    assertArrayEquals(secret, TpmSetup.activate(tpm, blob, RSA_AK, Swtpm.RSA_EK, false));
  }

  @Test
  void ourCredentialForTheP384EkIsActivatedByTheTpm() throws Exception {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    TpmPublic ek = TpmPublic.parse("EK", tpm.read("ekecc.pub"));
    assertEquals(0x000c, ek.nameAlg(), "swtpm's ECC EK uses the high-range template (SHA-384)");
    assertEquals(256, ek.symmetric().keyBits(), "and AES-256");
    TpmPublic ak = TpmPublic.parse("AK", tpm.read("akecc.pub"));
    MakeCredential.Blob blob = MakeCredential.make(ek, ak.name("AK"), secret, RANDOM);
    assertArrayEquals(secret, TpmSetup.activate(tpm, blob, ECC_AK, Swtpm.ECC_EK, true));
  }

  @Test
  void ourCredentialForAP256EkIsActivatedByTheTpm() throws Exception {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    TpmPublic ek = TpmPublic.parse("EK", tpm.read("ekecc256.pub"));
    assertEquals(0x0003, ek.curve());
    assertEquals(128, ek.symmetric().keyBits());
    TpmPublic ak = TpmPublic.parse("AK", tpm.read("akecc256.pub"));
    MakeCredential.Blob blob = MakeCredential.make(ek, ak.name("AK"), secret, RANDOM);
    assertArrayEquals(secret, TpmSetup.activate(tpm, blob, TpmSetup.AK_UNDER_EK_P256, TpmSetup.EK_P256, false));
  }

  @Test
  void aCredentialForAnotherAkNameIsNotActivated() throws Exception {
    TpmPublic ek = TpmPublic.parse("EK", tpm.read("ekrsa.pub"));
    TpmPublic other = TpmPublic.parse("AK", tpm.read("akecc.pub"));
    MakeCredential.Blob blob = MakeCredential.make(ek, other.name("AK"), new byte[32], RANDOM);
    AssertionError e = assertThrows(AssertionError.class, () -> TpmSetup.activate(tpm, blob, RSA_AK, Swtpm.RSA_EK, false));
    assertTrue(e.getMessage().contains("0x1df") || e.getMessage().contains("0x000001DF")
        || e.getMessage().toLowerCase().contains("integrity"), e.getMessage());
  }

  @Test
  void enrollmentChallengeAcceptsBothEksAndItsSecretComesBackFromTheTpm() throws Exception {
    EkAuthority cas = EkAuthority.parse(Files.readString(tpm.caCert));
    for (String kind : List.of("rsa", "ecc")) {
      EnrollmentChallenge c = EnrollmentChallenge.issue(cas.verify(tpm.read("ek" + kind + ".der"), Instant.now()), tpm.read("ek" + kind + ".pub"), tpm.read("ak" + kind + ".pub"), RANDOM);
      byte[] secret = TpmSetup.activate(tpm, new MakeCredential.Blob(c.credentialBlob(), c.encryptedSecret()),
          kind.equals("rsa") ? RSA_AK : ECC_AK, kind.equals("rsa") ? Swtpm.RSA_EK : Swtpm.ECC_EK, kind.equals("ecc"));
      // The secret holds, so the proof gets as far as the certify (made by tpm2-tools without our nonce).
      TpmSetup.Certify cert = TpmSetup.certify(tpm, TLS_KEY, kind.equals("rsa") ? RSA_AK : ECC_AK);
      AttestationException e = assertThrows(AttestationException.class,
          () -> c.prove(secret, TpmSetup.csr(tpm, TLS_KEY, "tls.pub"), tpm.read("tls.pub"), cert.attest(), cert.signature()));
      assertEquals("certify extraData is not this connection's nonce", e.reason(), kind);
      String openssl = Swtpm.exec(tpm.dir, List.of("sh", "-c", "openssl x509 -inform DER -in ek" + kind
          + ".der -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum"), null);
      assertEquals(openssl.substring(0, 64), c.ek().keySha256(), "the documented openssl pipeline gives the same");
    }
  }

  @Test
  void aCertifyByTheTpmPassesTheCertifyVerdictWithEitherAk() throws Exception {
    byte[] csr = TpmSetup.csr(tpm, TLS_KEY, "tls.pub");
    for (String kind : List.of("rsa", "ecc")) {
      AttestationKey ak = AttestationKey.of(tpm.read("ak" + kind + ".pub"), tpm.read("ek" + kind + ".pub"));
      TpmSetup.Certify c = TpmSetup.certify(tpm, TLS_KEY, kind.equals("rsa") ? RSA_AK : ECC_AK);
      AttestedKey key = CertifyVerifier.verify(ak, CERTIFY_EXTRA_DATA, csr, tpm.read("tls.pub"), c.attest(), c.signature());
      assertTrue(TpmKeys.sameKey(key.publicKey(), TpmPublic.parse("k", tpm.read("tls.pub")).publicKey("k")), kind);
      assertEquals("device-1", key.csrCommonName());
    }
  }

  @Test
  void aCertifyOfAnImportedKeyIsRefused() throws Exception {
    AttestationKey ak = AttestationKey.of(tpm.read("akecc.pub"), tpm.read("ekecc.pub"));
    TpmSetup.Certify c = TpmSetup.certify(tpm, "0x81000003", ECC_AK);
    byte[] csr = TpmSetup.csr(tpm, "0x81000003", "imported.pub");
    AttestationException e = assertThrows(AttestationException.class,
        () -> CertifyVerifier.verify(ak, CERTIFY_EXTRA_DATA, csr, tpm.read("imported.pub"), c.attest(), c.signature()));
    assertEquals("TLS key lacks the attribute sensitiveDataOrigin", e.reason());
  }

  @Test
  void aCsrWhoseKeyIsNotTheCertifiedKeyIsRefused() throws Exception {
    AttestationKey ak = AttestationKey.of(tpm.read("akecc.pub"), tpm.read("ekecc.pub"));
    TpmSetup.Certify c = TpmSetup.certify(tpm, TLS_KEY, ECC_AK);
    byte[] otherCsr = TpmSetup.csr(tpm, "0x81000003", "imported.pub");
    AttestationException e = assertThrows(AttestationException.class,
        () -> CertifyVerifier.verify(ak, CERTIFY_EXTRA_DATA, otherCsr, tpm.read("tls.pub"), c.attest(), c.signature()));
    assertEquals("the CSR's key is not the certified key", e.reason());
  }

  @Test
  void aQuoteByTheTpmPassesTheQuoteVerdictAndCarriesThePcrValues() throws Exception {
    byte[] extend = new byte[32];
    RANDOM.nextBytes(extend);
    tpm.tool("tpm2_pcrreset", "16");
    tpm.tool("tpm2_pcrextend", "16:sha256=" + HexFormat.of().formatHex(extend));
    byte[] expected16 = HashAlg.SHA256.digest(new byte[32], extend);
    for (String kind : List.of("rsa", "ecc")) {
      AttestationKey ak = AttestationKey.of(tpm.read("ak" + kind + ".pub"), tpm.read("ek" + kind + ".pub"));
      byte[] nonce = new byte[32];
      RANDOM.nextBytes(nonce);
      tpm.tool("tpm2_quote", "-c", kind.equals("rsa") ? RSA_AK : ECC_AK, "-l", "sha256:0,2,16", "-q",
          HexFormat.of().formatHex(nonce), "-g", "sha256", "-m", "quote.msg", "-s", "quote.sig", "-o", "quote.pcrs",
          "-F", "values");
      tpm.flush();
      VerifiedQuote q = QuoteVerifier.verify(ak, nonce, tpm.read("quote.msg"), tpm.read("quote.sig"),
          tpm.read("quote.pcrs"), List.of(0, 16));
      assertEquals(List.of(0, 2, 16), List.copyOf(q.pcrs().keySet()), kind);
      assertArrayEquals(expected16, q.pcrs().get(16), kind);
      assertArrayEquals(HashAlg.SHA256.digest(tpm.read("quote.pcrs")), q.valuesSha256());
      PcrState golden = new PcrState("golden", List.of(16), List.of(java.util.Map.of(16, expected16)));
      PcrState other = new PcrState("other", List.of(16), List.of(java.util.Map.of(16, new byte[32])));
      assertEquals(List.of("golden"), PcrState.satisfied(List.of(golden, other), q));
      AttestationException e = assertThrows(AttestationException.class, () -> QuoteVerifier.verify(ak, nonce,
          tpm.read("quote.msg"), tpm.read("quote.sig"), tpm.read("quote.pcrs"), List.of(0, 7)));
      assertEquals("quote does not cover PCR 7", e.reason());
    }
  }

  static byte[] u32(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }
}
