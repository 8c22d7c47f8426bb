package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.tpm.Swtpm;

/**
 * The fields that {@code scripts/tpm2-device.sh} (tpm2-tools, OpenSSL's tpm2 provider and a raw
 * TPM2_Certify) puts on the wire pass our verifiers, against a real swtpm with both of its EKs: our
 * MakeCredential is activated by the script's policy-session path, its raw certify carries our nonce, its
 * CSR is signed by the certified key, and its quote verifies. One TPM for the class; the script runs as a
 * device would, with TPM2TOOLS_TCTI pointing at the swtpm.
 */
class Tpm2ToolsDeviceTest {
  private static final Path SCRIPT = Path.of("../scripts/tpm2-device.sh").toAbsolutePath();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder UNB64 = Base64.getDecoder();
  /** Per EK kind, the script's environment: which EK, and handles of its own for the AK and the TLS key. */
  private static final Map<String, List<String>> ENV = Map.of(
      "rsa", List.of("EK=rsa", "AK_HANDLE=0x81018010", "KEY_HANDLE=0x81000011", "CN=rsa-device"),
      "ecc", List.of("EK=ecc", "AK_HANDLE=0x81018011", "KEY_HANDLE=0x81000012", "CN=ecc-device"));

  @TempDir
  static Path dir;
  static Swtpm tpm;

  @BeforeAll
  static void manufactureAndMakeKeys() throws Exception {
    tpm = Swtpm.start(dir);
    for (String kind : ENV.keySet()) {
      Files.createDirectories(dir.resolve(kind));
      script(kind, "keys", kind);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (tpm != null) tpm.close();
  }

  @Test
  void theScriptsActivationCertifyAndCsrPassTheEnrollmentProofWithEitherEk() throws Exception {
    EkAuthority cas = EkAuthority.parse(Files.readString(tpm.caCert));
    for (String kind : List.of("rsa", "ecc")) {
      EnrollmentChallenge c = EnrollmentChallenge.issue(cas.verify(read(kind, "ek.der"), Instant.now()),
          read(kind, "ek.pub"), read(kind, "ak.pub"), RANDOM);
      byte[] secret = UNB64.decode(
          script(kind, "activate", kind, b64(c.credentialBlob()), b64(c.encryptedSecret())).strip());
      script(kind, "csr", kind);
      String[] certify = fields(script(kind, "certify", kind, b64(c.nonce())), 2);

      AttestedKey key = c.prove(secret, read(kind, "csr.der"), read(kind, "tls.pub"), UNB64.decode(certify[0]),
          UNB64.decode(certify[1]));

      assertTrue(TpmKeys.sameKey(key.publicKey(), TpmPublic.parse("k", read(kind, "tls.pub")).publicKey("k")), kind);
      assertEquals(kind + "-device", key.csrCommonName());
    }
  }

  @Test
  void theScriptsCertifyCarriesTheNonceItWasGivenSoAnotherConnectionsCertifyIsRefused() throws Exception {
    EkAuthority cas = EkAuthority.parse(Files.readString(tpm.caCert));
    EnrollmentChallenge c = EnrollmentChallenge.issue(cas.verify(read("rsa", "ek.der"), Instant.now()),
        read("rsa", "ek.pub"), read("rsa", "ak.pub"), RANDOM);
    byte[] secret = UNB64.decode(
        script("rsa", "activate", "rsa", b64(c.credentialBlob()), b64(c.encryptedSecret())).strip());
    script("rsa", "csr", "rsa");
    byte[] otherNonce = new byte[32];
    RANDOM.nextBytes(otherNonce);
    String[] certify = fields(script("rsa", "certify", "rsa", b64(otherNonce)), 2);
    TpmsAttest attest = TpmsAttest.parse(UNB64.decode(certify[0]));
    assertArrayEquals(otherNonce, attest.extraData(), "the raw TPM2_Certify's qualifyingData");

    AttestationException e = assertThrows(AttestationException.class, () -> c.prove(secret, read("rsa", "csr.der"),
        read("rsa", "tls.pub"), UNB64.decode(certify[0]), UNB64.decode(certify[1])));
    assertEquals("certify extraData is not this connection's nonce", e.reason());
  }

  @Test
  void aCredentialForTheOtherEksAkIsNotActivatedByTheScript() throws Exception {
    TpmPublic ek = TpmPublic.parse("EK", read("rsa", "ek.pub"));
    byte[] otherAk = TpmPublic.parse("AK", read("ecc", "ak.pub")).name("AK");
    MakeCredential.Blob blob = MakeCredential.make(ek, otherAk, new byte[32], RANDOM);
    AssertionError e = assertThrows(AssertionError.class,
        () -> script("rsa", "activate", "rsa", b64(blob.idObject()), b64(blob.encryptedSecret())));
    assertTrue(e.getMessage().contains("tpm2_activatecredential failed"), e.getMessage());
  }

  @Test
  void theScriptsQuoteVerifiesAndCarriesThePcrValuesInSelectionOrder() throws Exception {
    byte[] extend = new byte[32];
    RANDOM.nextBytes(extend);
    tpm.tool("tpm2_pcrreset", "16");
    tpm.tool("tpm2_pcrextend", "16:sha256=" + HexFormat.of().formatHex(extend));
    byte[] expected16 = HashAlg.SHA256.digest(new byte[32], extend);
    for (String kind : List.of("rsa", "ecc")) {
      AttestationKey ak = AttestationKey.of(read(kind, "ak.pub"), read(kind, "ek.pub"));
      byte[] nonce = new byte[32];
      RANDOM.nextBytes(nonce);
      String[] quote = fields(script(kind, "quote", kind, b64(nonce), "0,2,16"), 3);

      VerifiedQuote q = QuoteVerifier.verify(ak, nonce, UNB64.decode(quote[0]), UNB64.decode(quote[1]),
          UNB64.decode(quote[2]), List.of(0, 2, 16));

      assertEquals(List.of(0, 2, 16), List.copyOf(q.pcrs().keySet()), kind);
      assertArrayEquals(expected16, q.pcrs().get(16), kind);
      byte[] otherNonce = nonce.clone();
      otherNonce[0] ^= 1;
      AttestationException e = assertThrows(AttestationException.class, () -> QuoteVerifier.verify(ak, otherNonce,
          UNB64.decode(quote[0]), UNB64.decode(quote[1]), UNB64.decode(quote[2]), List.of(0)));
      assertEquals("quote extraData is not this connection's nonce", e.reason(), kind);
    }
  }

  /** Runs a step of the script for one EK kind against this class's TPM; returns its stdout. */
  private static String script(String kind, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("env"));
    command.addAll(ENV.get(kind));
    command.add(SCRIPT.toString());
    command.addAll(List.of(args));
    return tpm.tool(command.toArray(String[]::new));
  }

  private static String[] fields(String line, int count) {
    String[] f = line.strip().split(" ", -1);
    assertEquals(count, f.length, "fields in the script's output line: " + line);
    return f;
  }

  private static byte[] read(String kind, String file) throws Exception {
    return Files.readAllBytes(dir.resolve(kind).resolve(file));
  }

  private static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }
}
