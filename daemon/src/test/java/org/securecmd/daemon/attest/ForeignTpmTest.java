package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Two real TPMs (swtpm A and B, each with its own EK CA): evidence of TPM B's AK cannot pass as TPM A's.
 * A device that owns TPM A (with its genuine EK certificate) and offers the AK of TPM B gets a credential
 * neither TPM can activate, and a certify by that AK names its real EK in the qualifiedSigner.
 */
class ForeignTpmTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  @TempDir
  static Path dir;
  static Swtpm a;
  static Swtpm b;

  @BeforeAll
  static void manufacture() throws Exception {
    a = Swtpm.start(Files.createDirectories(dir.resolve("a")));
    b = Swtpm.start(Files.createDirectories(dir.resolve("b")));
    TpmSetup.keys(a);
    TpmSetup.keys(b);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (a != null) a.close();
    } finally {
      if (b != null) b.close();
    }
  }

  @Test
  void anAkOfTpmBWithTheEkOfTpmAIsRefused() throws Exception {
    EkAuthority cas = EkAuthority.parse(Files.readString(a.caCert));
    EnrollmentChallenge c = EnrollmentChallenge.issue(cas.verify(a.read("ekrsa.der"), Instant.now()), a.read("ekrsa.pub"), b.read("akrsa.pub"), RANDOM);
    MakeCredential.Blob blob = new MakeCredential.Blob(c.credentialBlob(), c.encryptedSecret());
    // TPM B holds the AK but not EK A: it cannot recover the secret.
    assertThrows(AssertionError.class, () -> TpmSetup.activate(b, blob, SwtpmEvidenceTest.RSA_AK, Swtpm.RSA_EK, false));
    // TPM A holds EK A but not the AK: its public area loaded from outside has no authValue to activate with.
    Files.copy(b.dir.resolve("akrsa.pub"), a.dir.resolve("foreign-ak.pub"));
    a.tool("tpm2_loadexternal", "-C", "n", "-u", "foreign-ak.pub", "-c", "foreign-ak.ctx");
    AssertionError relay = assertThrows(AssertionError.class,
        () -> TpmSetup.activate(a, blob, "foreign-ak.ctx", Swtpm.RSA_EK, false));
    assertTrue(relay.getMessage().contains("0x12F") || relay.getMessage().contains("0x0000012f"), relay.getMessage());
    // And what TPM B certifies with its AK names AK B under EK B as qualifiedSigner, not under EK A.
    TpmSetup.Certify certify = TpmSetup.certify(b, SwtpmEvidenceTest.TLS_KEY, SwtpmEvidenceTest.RSA_AK);
    AttestationException e = assertThrows(AttestationException.class, () -> CertifyVerifier.verify(c.attestationKey(),
        SwtpmEvidenceTest.CERTIFY_EXTRA_DATA, TpmSetup.csr(b, SwtpmEvidenceTest.TLS_KEY, "tls.pub"), b.read("tls.pub"),
        certify.attest(), certify.signature()));
    assertEquals("certify qualifiedSigner is not the AK under this EK", e.reason());
  }

  @Test
  void aQuoteOfTpmBDoesNotVerifyWithTheAkRecordedForTpmA() throws Exception {
    AttestationKey recorded = AttestationKey.of(a.read("akecc.pub"), a.read("ekecc.pub"));
    byte[] nonce = new byte[32];
    RANDOM.nextBytes(nonce);
    b.tool("tpm2_quote", "-c", SwtpmEvidenceTest.ECC_AK, "-l", "sha256:0,7", "-q", HexFormat.of().formatHex(nonce),
        "-g", "sha256", "-m", "quote.msg", "-s", "quote.sig", "-o", "quote.pcrs", "-F", "values");
    b.flush();
    AttestationException e = assertThrows(AttestationException.class, () -> QuoteVerifier.verify(recorded, nonce,
        b.read("quote.msg"), b.read("quote.sig"), b.read("quote.pcrs"), List.of(0)));
    assertEquals("quote signature does not verify with the AK", e.reason());
    AttestationKey own = AttestationKey.of(b.read("akecc.pub"), b.read("ekecc.pub"));
    assertArrayEquals(b.read("quote.pcrs"), TpmPublic.concat(QuoteVerifier.verify(own, nonce, b.read("quote.msg"),
        b.read("quote.sig"), b.read("quote.pcrs"), List.of(0)).pcrs().values().toArray(new byte[0][])));
  }

  @Test
  void anEkCertificateOfTpmBIsForbiddenUnderTpmAsCa() throws Exception {
    EkAuthority cas = EkAuthority.parse(Files.readString(a.caCert));
    AttestationException e = assertThrows(AttestationException.class, () -> EnrollmentChallenge.issue(cas.verify(b.read("ekecc.der"), Instant.now()), b.read("ekecc.pub"), b.read("akecc.pub"), RANDOM));
    assertEquals(AttestationException.Kind.FORBIDDEN, e.kind());
    assertEquals("EK certificate does not chain to ek_ca (issuer CN=Test EK CA b)", e.reason());
  }
}
