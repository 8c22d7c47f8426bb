package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.ca.Issuer;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.client.StateAttestation;
import org.securecmd.daemon.attest.VerifiedEk;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.EndorsementKeyType;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.PcrSelection;
import org.securecmd.tpm.Swtpm;
import org.securecmd.tpm.Tpm;

/**
 * TPM quotes checked per command, end to end: a real daemon, swtpm TPM A as an enrolled device (enrolled once
 * through the documented verbs, then serving with its TPM-held TLS key), TPM B as another TPM. The state
 * {@code golden} covers PCRs 0, 2, 7 and the debug PCR 16, which tests extend (a changed measurement) and
 * reset afterwards. The device is played through org.securecmd.tpm: NONCE, TPM2_Quote with the enrolled AK,
 * TPM2_PCR_Read, QUOTE.
 */
class StateAttestationTest {
  static final int[] GOLDEN = {0, 2, 7, 16};
  @TempDir static Path dir;
  private static Swtpm a;
  private static Swtpm b;
  private static TestDaemon daemon;
  private static Ctl ctl;
  private static TpmDevice device;
  private static List<X509Certificate> chain;
  /** TPM A's PCR values at the start, as "index" = "hex" lines of the golden value set. */
  private static String goldenValues;

  @BeforeAll
  static void start() throws Exception {
    a = Swtpm.start(Files.createDirectories(dir.resolve("tpm-a")));
    b = Swtpm.start(Files.createDirectories(dir.resolve("tpm-b")));
    try (Tpm t = a.open()) {
      goldenValues = valueSet(t.pcrRead(PcrSelection.sha256(GOLDEN)).values());
    }
    Path d = Files.createDirectories(dir.resolve("daemon"));
    TestPki pki = new TestPki("Fleet");
    pki.intermediate().write(d, "enroll-ca");
    Files.writeString(d.resolve("ek-ca.pem"), Files.readString(a.caCert) + Files.readString(b.caCert));
    daemon = TestDaemon.start(d, config(goldenValues, "refuse"), pki);
    ctl = new Ctl(daemon.daemon.adminSocket());
    device = TpmDevice.open(a, EndorsementKeyType.RSA_2048);
    String ek = VerifiedEk.keySha256(certificate(device.tpm.endorsementCertificate(EndorsementKeyType.RSA_2048)));
    assertEquals(0, ctl.run("enroll", "add", "dev-q", "--ek-sha256", ek).code());
    chain = enroll(device);
  }

  @AfterAll
  static void stop() throws Exception {
    if (device != null) device.close();
    if (daemon != null) daemon.close();
    for (Swtpm t : new Swtpm[] {a, b}) {
      if (t != null) t.close();
    }
  }

  static String config(String allowed, String onMismatch) {
    return TestDaemon.config("allow = [\"*\"]", """
        [commands.UNLOCK]
        reply = "DISK_KEY_ONLY_IN_GOLDEN_STATE"
        allow = ["*"]
        require_state = "golden"
        [enrollment]
        ca_certificate = "enroll-ca.crt"
        ca_key = "enroll-ca.key"
        validity = "2h"
        renew_before = "3h"
        allow = ["dev-*"]
        [attestation]
        ek_ca = "ek-ca.pem"
        step_timeout = "30s"
        on_mismatch = "%s"
        [attestation.states.golden]
        pcrs = [0, 2, 7, 16]
        allowed = [ %s ]
        """.formatted(onMismatch, allowed));
  }

  @Test
  void matchingPcrsGetTheProtectedCommandAfterAttestationRequired() throws Exception {
    try (Connection c = connect()) {
      Reply first = c.send("UNLOCK");
      assertEquals(ErrorCode.ATTESTATION_REQUIRED, first.code(), first.toString());
      assertEquals("golden sha256:0,2,7,16", first.text(), "what to quote");
      assertEquals("ATTESTED golden", attest(c, GOLDEN).line());
      assertEquals("DISK_KEY_ONLY_IN_GOLDEN_STATE", c.send("UNLOCK").text());
      assertEquals("DISK_KEY_ONLY_IN_GOLDEN_STATE", c.send("UNLOCK").text(), "the quote counts for max_age");
    }
    try (Connection fresh = connect()) {
      assertEquals(ErrorCode.ATTESTATION_REQUIRED, fresh.send("UNLOCK").code(), "a quote belongs to its connection");
    }
    String metrics = ctl.run("metrics").out();
    assertTrue(metrics.contains("securecmd_attestation_total{state=\"golden\",result=\"attested\"}"), metrics);
  }

  @Test
  void anExtendedPcrGivesStateMismatchAndRefusesTheCommandWhilePingWorks() throws Exception {
    try (AuditCapture audit = new AuditCapture(); Connection c = connect()) {
      assertEquals("ATTESTED golden", attest(c, GOLDEN).line());
      audit.await(l -> l.startsWith("quote client=dev-q ")
          && l.contains(" verdict=attested states=golden values_sha256="),
          Duration.ofSeconds(5), "of the accepted quote");
      device.tpm.pcrExtend(16, sha256("a rootkit's loader".getBytes(StandardCharsets.UTF_8)));
      try {
        byte[] values = device.tpm.pcrRead(PcrSelection.sha256(GOLDEN)).concatenated();
        Reply r = attest(c, GOLDEN);
        assertEquals(ErrorCode.STATE_MISMATCH, r.code(), r.toString());
        assertEquals(HexFormat.of().formatHex(sha256(values)), r.text(), "the SHA-256 of the quoted values");
        audit.await(l -> l.startsWith("quote client=dev-q ") && l.contains(" verdict=state_mismatch values_sha256="
            + r.text() + " "), Duration.ofSeconds(5), "with the verdict and the values' digest");
        Reply refused = c.send("UNLOCK");
        assertEquals(ErrorCode.ATTESTATION_REQUIRED, refused.code(), "the earlier quote no longer counts");
        assertEquals("PONG", c.send("PING").text(), "PING needs no state");
      } finally {
        device.tpm.pcrReset(16);
      }
      assertEquals("ATTESTED golden", attest(c, GOLDEN).line(), "back in the golden state");
    }
    assertTrue(ctl.run("metrics").out().contains("securecmd_attestation_total{state=\"-\",result=\"state_mismatch\"}"));
  }

  @Test
  void aReplayedQuoteIsRefused() throws Exception {
    try (Connection c = connect()) {
      String line = quoteLine(device, device.ak, nonce(c), GOLDEN);
      assertEquals("ATTESTED golden", c.send(line).line());
      assertRefused(c.send(line), "no unused NONCE on this connection (each is used once, within step_timeout)");
      nonce(c);
      assertRefused(c.send(line), "quote extraData is not this connection's nonce");
    }
  }

  @Test
  void aQuoteMadeForAnotherConnectionIsRefused() throws Exception {
    try (Connection one = connect(); Connection other = connect()) {
      byte[] forOne = nonce(one);
      nonce(other);
      assertRefused(other.send(quoteLine(device, device.ak, forOne, GOLDEN)),
          "quote extraData is not this connection's nonce");
      assertEquals(ErrorCode.ATTESTATION_REQUIRED, other.send("UNLOCK").code());
    }
  }

  @Test
  void aQuoteSignedByAnotherTpmsAkIsRefused() throws Exception {
    // (another AK of the same TPM cannot be loaded beside the device's three objects: swtpm holds three)
    try (TpmDevice otherTpm = TpmDevice.open(b, EndorsementKeyType.RSA_2048); Connection c = connect()) {
      assertRefused(c.send(quoteLine(otherTpm, otherTpm.ak, nonce(c), GOLDEN)),
          "quote signature does not verify with the AK");
      assertEquals(ErrorCode.ATTESTATION_REQUIRED, c.send("UNLOCK").code());
    }
  }

  @Test
  void aQuoteOverTooFewPcrsIsRefused() throws Exception {
    try (Connection c = connect()) {
      assertRefused(attest(c, 0, 2), "quote covers PCRs [0, 2], fewer than any state needs: golden [0, 2, 7, 16]");
    }
  }

  @Test
  void valuesThatDoNotHashToTheQuotedDigestAreRefused() throws Exception {
    try (Connection c = connect()) {
      byte[] nonce = nonce(c);
      PcrSelection sel = PcrSelection.sha256(GOLDEN);
      Attestation q = device.tpm.quote(device.ak, nonce, sel);
      byte[] values = device.tpm.pcrRead(sel).concatenated();
      values[0] ^= 1;
      assertRefused(c.send(line(q, values)), "PCR values do not hash to the quoted pcrDigest");
      nonce = nonce(c);
      q = device.tpm.quote(device.ak, nonce, sel);
      assertRefused(c.send(line(q, new byte[96])), "96 bytes of PCR values for 4 selected PCRs (32 bytes each)");
    }
  }

  @Test
  void aCertificateWithTheEnrolledDevicesNameCannotUseItsQuotes() throws Exception {
    // a PEM certificate of the fleet's CA with the device's name: no attested key
    TestPki.Issued pem = daemon.pki.issue(TestPki.spec("dev-q"));
    try (Connection c = daemon.connect(pem)) {
      assertRefused(c.send(quoteLine(device, device.ak, nonce(c), GOLDEN)),
          "only a certificate of a TPM-attested key can quote (enroll first)");
      assertEquals(ErrorCode.FORBIDDEN, c.send("UNLOCK").code(), "require_state implies require_attested_key");
    }
    // even one from the enrollment CA, marked attested, with the enrolled certificate's serial, but a software key
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair software = g.generateKeyPair();
    TestPki.Issued ca = daemon.pki.intermediate();
    BigInteger serial = chain.get(0).getSerialNumber();
    X509Certificate copy = Issuer.attestedLeaf(ca.certificate(), ca.keyPair().getPrivate(), serial, "dev-q",
        software.getPublic(), Instant.now(), Duration.ofHours(1));
    List<X509Certificate> copied = new ArrayList<>(List.of(copy));
    copied.addAll(ca.chain());
    SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder()
        .addTrustedCertificate(daemon.pki.rootCertificate())
        .certifiedKey(new CertifiedKey(software.getPrivate(), copied)).build(), Duration.ofSeconds(10));
    try (Connection c = client.connect("127.0.0.1", daemon.port())) {
      assertRefused(c.send(quoteLine(device, device.ak, nonce(c), GOLDEN)),
          "no TPM enrollment is recorded for this certificate (serial " + serial.toString(16) + ")");
      assertEquals(ErrorCode.ATTESTATION_REQUIRED, c.send("UNLOCK").code());
    }
  }

  @Test
  void aReloadThatRemovesTheValueSetClosesTheConnectionsThatReliedOnIt() throws Exception {
    String other = "{ " + String.join(", ", List.of(0, 2, 7, 16).stream()
        .map(i -> "\"" + i + "\" = \"" + "ab".repeat(32) + "\"").toList()) + " }";
    try (Connection attested = connect(); Connection plain = connect()) {
      assertEquals("ATTESTED golden", attest(attested, GOLDEN).line());
      daemon.writeConfig(config(other, "refuse"));
      try {
        daemon.daemon.reload();
        Reply closed = attested.send("PING");
        assertEquals(ErrorCode.FORBIDDEN, closed.code(), closed.toString());
        assertEquals("this connection's TPM quote no longer satisfies [attestation.states.golden]", closed.text());
        assertEquals("PONG", plain.send("PING").text(), "a connection that relied on no state stays");
      } finally {
        daemon.writeConfig(config(goldenValues, "refuse"));
        daemon.daemon.reload();
      }
    }
  }

  @Test
  void onMismatchDenyPutsTheDeviceOnTheDenyList() throws Exception {
    daemon.writeConfig(config(goldenValues, "deny"));
    daemon.daemon.reload();
    try (Connection c = connect()) {
      device.tpm.pcrExtend(16, sha256("unknown kernel".getBytes(StandardCharsets.UTF_8)));
      Reply r;
      try {
        r = attest(c, GOLDEN);
      } finally {
        device.tpm.pcrReset(16);
      }
      assertEquals(ErrorCode.STATE_MISMATCH, r.code(), r.toString());
      Reply after = c.send("PING");
      assertEquals(ErrorCode.FORBIDDEN, after.code(), "the deny list closes the connection: " + after);
      Ctl.Result revoked = ctl.run("revoked");
      assertTrue(revoked.out().contains("dev-q"), revoked.toString());
    } finally {
      assertEquals(0, ctl.run("unrevoke", "dev-q").code());
      daemon.writeConfig(config(goldenValues, "refuse"));
      daemon.daemon.reload();
    }
    try (Connection c = connect()) {
      assertEquals("ATTESTED golden", attest(c, GOLDEN).line(), "unrevoked, in the golden state again");
    }
  }

  @Test
  void attestLearnOutputPastedIntoTheConfigMakesTheNextQuoteMatch() throws Exception {
    String other = "{ " + String.join(", ", List.of(0, 2, 7, 16).stream()
        .map(i -> "\"" + i + "\" = \"" + "cd".repeat(32) + "\"").toList()) + " }";
    daemon.writeConfig(config(other, "refuse"));
    daemon.daemon.reload();
    try {
      try (Connection c = connect()) {
        Reply mismatch = attest(c, GOLDEN);
        assertEquals(ErrorCode.STATE_MISMATCH, mismatch.code(), "the reference device's values are not allowed yet");
        Ctl.Result shown = ctl.run("attest", "show", "dev-q");
        assertEquals(0, shown.code(), shown.toString());
        assertTrue(shown.out().contains("values sha256 " + mismatch.text()), shown.out());
        assertTrue(shown.out().contains("  pcr 16 sha256 " + "00".repeat(32)), shown.out());
        assertTrue(shown.out().contains("recent value set(s) that matched no state"), shown.out());
      }
      Ctl.Result learned = ctl.run("attest", "learn", "dev-q", "golden");
      assertEquals(0, learned.code(), learned.toString());
      List<String> lines = learned.out().lines().toList();
      assertEquals(2, lines.size(), learned.out());
      assertTrue(lines.get(0).startsWith("# dev-q, quoted "), lines.get(0));
      daemon.writeConfig(config(other + ", " + lines.get(1), "refuse")); // pasted as printed, trailing comma too
      daemon.daemon.reload();
      try (Connection c = connect()) {
        assertEquals("ATTESTED golden", attest(c, GOLDEN).line());
        assertEquals("DISK_KEY_ONLY_IN_GOLDEN_STATE", c.send("UNLOCK").text());
      }
      Ctl.Result unknown = ctl.run("attest", "learn", "dev-q", "silver");
      assertEquals(1, unknown.code(), unknown.toString());
      assertTrue(unknown.err().contains("there is no [attestation.states.silver]; defined: golden"),
          unknown.toString());
    } finally {
      daemon.writeConfig(config(goldenValues, "refuse"));
      daemon.daemon.reload();
    }
  }

  @Test
  void theClientLibraryQuotesWhenAskedAndSendsTheCommandAgain() throws Exception {
    StateAttestation tpm = StateAttestation.of(device.tpm, device.ak); // not closed: the device owns the TPM
    try (Connection c = connect()) {
      assertEquals("DISK_KEY_ONLY_IN_GOLDEN_STATE", tpm.send(c, "UNLOCK").text(), "ATTESTATION_REQUIRED answered");
      assertEquals("ATTESTED golden", tpm.prove(c, StateAttestation.ALL_PCRS).line(), "all 24 PCRs cover the state");
      device.tpm.pcrExtend(16, sha256("tampered".getBytes(StandardCharsets.UTF_8)));
      try {
        Reply refused = tpm.send(c, "UNLOCK");
        assertEquals("DISK_KEY_ONLY_IN_GOLDEN_STATE", refused.text(), "the last quote still counts (max_age)");
        Reply mismatch = tpm.prove(c, StateAttestation.ALL_PCRS);
        assertEquals(ErrorCode.STATE_MISMATCH, mismatch.code(), mismatch.toString());
        Reply r = tpm.send(c, "UNLOCK");
        assertEquals(ErrorCode.STATE_MISMATCH, r.code(), "a refused quote's reason is the answer: " + r);
      } finally {
        device.tpm.pcrReset(16);
      }
    }
  }

  @Test
  void aRenewedCertificateQuotesWithTheAkEnrolledForTheOneItReplaced() throws Exception {
    List<X509Certificate> renewed = new ArrayList<>();
    try (Connection c = connect()) {
      Reply r = c.send("RENEW " + TpmDevice.b64(device.csr(device.tls)));
      assertFalse(r.isError(), r.toString());
      for (String f : r.text().split(" ")) renewed.add(certificate(Base64.getDecoder().decode(f)));
    }
    assertFalse(renewed.get(0).getSerialNumber().equals(chain.get(0).getSerialNumber()), "a new serial");
    try (Connection c = new SecureCmdClient(new HandshakeSetup.Builder()
        .addTrustedCertificate(daemon.pki.rootCertificate()).certifiedKey(device.certifiedKey(device.tls, renewed))
        .build(), Duration.ofSeconds(10)).connect("127.0.0.1", daemon.port())) {
      assertEquals("ATTESTED golden", attest(c, GOLDEN).line());
      assertEquals("DISK_KEY_ONLY_IN_GOLDEN_STATE", c.send("UNLOCK").text());
    }
  }

  @Test
  void aStateStillBeingLearnedDeniesNobodyEvenWithOnMismatchDeny() throws Exception {
    daemon.writeConfig(config("", "deny"));
    daemon.daemon.reload();
    try (Connection c = connect()) {
      Reply r = attest(c, GOLDEN);
      assertEquals(ErrorCode.STATE_MISMATCH, r.code(), r.toString());
      assertEquals("PONG", c.send("PING").text(), "allowed = [] is no evidence against the device");
      assertFalse(ctl.run("revoked").out().contains("dev-q"));
    } finally {
      daemon.writeConfig(config(goldenValues, "refuse"));
      daemon.daemon.reload();
    }
  }

  /** NONCE, then a quote of {@code pcrs} by the device's enrolled AK over it. */
  private static Reply attest(Connection c, int... pcrs) throws Exception {
    return c.send(quoteLine(device, device.ak, nonce(c), pcrs));
  }

  private static byte[] nonce(Connection c) throws Exception {
    Reply r = c.send("NONCE");
    assertFalse(r.isError(), r.toString());
    return Base64.getDecoder().decode(r.text());
  }

  /** {@code QUOTE <TPMS_ATTEST> <TPMT_SIGNATURE> <values>}: what a device sends, with tpm2_quote's pieces. */
  static String quoteLine(TpmDevice d, LoadedKey ak, byte[] nonce, int... pcrs) throws Exception {
    PcrSelection sel = PcrSelection.sha256(pcrs);
    Attestation q = d.tpm.quote(ak, nonce, sel);
    return line(q, d.tpm.pcrRead(sel).concatenated());
  }

  private static String line(Attestation q, byte[] values) {
    return "QUOTE " + TpmDevice.b64(q.attest()) + " " + TpmDevice.b64(q.signatureBytes()) + " " + TpmDevice.b64(values);
  }

  private static void assertRefused(Reply r, String reason) {
    assertEquals(ErrorCode.BAD_ATTESTATION, r.code(), r.toString());
    assertEquals(reason, r.text());
  }

  private static Connection connect() throws Exception {
    return new SecureCmdClient(new HandshakeSetup.Builder().addTrustedCertificate(daemon.pki.rootCertificate())
        .certifiedKey(device.certifiedKey(device.tls, chain)).build(), Duration.ofSeconds(10))
        .connect("127.0.0.1", daemon.port());
  }

  /** ENROLL and ENROLL-PROOF on a connection without a certificate; the issued chain. */
  private static List<X509Certificate> enroll(TpmDevice dev) throws Exception {
    try (Connection conn = daemon.client(null).connect("127.0.0.1", daemon.port())) {
      Reply challenge = conn.send(dev.enroll());
      assertFalse(challenge.isError(), challenge.toString());
      Reply issued = conn.send(dev.proof(TpmDevice.Challenge.parse(challenge.text())));
      assertFalse(issued.isError(), issued.toString());
      List<X509Certificate> out = new ArrayList<>();
      for (String f : issued.text().split(" ")) out.add(certificate(Base64.getDecoder().decode(f)));
      return out;
    }
  }

  static String valueSet(List<byte[]> values) {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < GOLDEN.length; i++) {
      pairs.add("\"" + GOLDEN[i] + "\" = \"" + HexFormat.of().formatHex(values.get(i)) + "\"");
    }
    return "{ " + String.join(", ", pairs) + " }";
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  private static X509Certificate certificate(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }
}
