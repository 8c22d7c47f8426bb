package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
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
import org.securecmd.daemon.TestDaemon;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.daemon.state.Enrollment;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.StateStores;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;
import org.securecmd.tpm.Handles;
import org.securecmd.tpm.KeyTemplate;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.PcrSelection;
import org.securecmd.tpm.Swtpm;
import org.securecmd.tpm.Tpm;

/**
 * {@code securecmd-client --attest --tpm SPEC} end to end: the real CLI (in process), a real daemon, an AK
 * persisted at 0x81000002 in swtpm. The device's TLS key is a PEM file here (the CLI reads a TPM-held TLS key
 * only through PKCS#11): its attested certificate is issued by the enrollment CA and its enrollment (that AK)
 * recorded in the state directory before the daemon starts, as ENROLL-PROOF would have recorded it.
 */
class AttestCliTest {
  @TempDir static Path dir;
  private static Swtpm tpm;
  private static TestDaemon daemon;
  private static Path cert;
  private static Path key;

  @BeforeAll
  static void start() throws Exception {
    tpm = Swtpm.start(Files.createDirectories(dir.resolve("tpm")));
    byte[] akPublic;
    StringBuilder golden = new StringBuilder("{ ");
    try (Tpm t = tpm.open()) {
      LoadedKey ek = t.createPrimary(Handles.RH_ENDORSEMENT, KeyTemplate.endorsementRsa2048());
      LoadedKey ak = t.load(ek, t.create(ek, KeyTemplate.attestationKey()));
      t.persist(ak, Handles.AK_PERSISTENT);
      akPublic = ak.publicArea().marshalled();
      t.flushContext(ak.handle());
      t.flushContext(ek.handle());
      List<byte[]> values = t.pcrRead(PcrSelection.sha256(0, 2, 7)).values();
      int[] pcrs = {0, 2, 7};
      for (int i = 0; i < pcrs.length; i++) {
        golden.append(i == 0 ? "" : ", ").append('"').append(pcrs[i]).append("\" = \"")
            .append(HexFormat.of().formatHex(values.get(i))).append('"');
      }
    }
    golden.append(" }");
    Path d = Files.createDirectories(dir.resolve("daemon"));
    TestPki pki = new TestPki("Fleet");
    TestPki.Issued ca = pki.intermediate();
    ca.write(d, "enroll-ca");
    Files.copy(tpm.caCert, d.resolve("ek-ca.pem"));
    String config = TestDaemon.config("allow = [\"*\"]", """
        [commands.UNLOCK]
        reply = "DISK_KEY"
        allow = ["*"]
        require_state = "golden"
        [enrollment]
        ca_certificate = "enroll-ca.crt"
        ca_key = "enroll-ca.key"
        allow = ["dev-*"]
        [attestation]
        ek_ca = "ek-ca.pem"
        [attestation.states.golden]
        pcrs = [0, 2, 7]
        allowed = [ %s ]
        """.formatted(golden));
    Files.writeString(d.resolve("config.toml"), config);

    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair device = g.generateKeyPair();
    BigInteger serial = new BigInteger(64, new java.security.SecureRandom()).setBit(62);
    Instant now = Instant.now();
    X509Certificate leaf = Issuer.attestedLeaf(ca.certificate(), ca.keyPair().getPrivate(), serial, "dev-cli",
        device.getPublic(), now, Duration.ofHours(1));
    Config c = ConfigLoader.load(d.resolve("config.toml"));
    StateStores.issuanceLog(c).append(new Issuance(serial.toString(16), "dev-cli",
        leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant(), Issuance.ENROLLED, now,
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(device.getPublic().getEncoded())),
        false));
    StateStores.enrollmentRegistry(c).recordEnrollment(new Enrollment(serial.toString(16), "dev-cli", "ab".repeat(32),
        akPublic, now));
    List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
    chain.addAll(ca.chain());
    StringBuilder pem = new StringBuilder();
    for (X509Certificate x : chain) pem.append(TestPki.pem("CERTIFICATE", x.getEncoded()));
    cert = Files.writeString(dir.resolve("device.crt"), pem);
    key = Files.writeString(dir.resolve("device.key"), TestPki.pem("PRIVATE KEY", device.getPrivate().getEncoded()));
    daemon = TestDaemon.start(d, config, pki);
  }

  @AfterAll
  static void stop() throws Exception {
    if (daemon != null) daemon.close();
    if (tpm != null) tpm.close();
  }

  private record Run(int code, String out, String err) {}

  private static Run client(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--port", String.valueOf(daemon.port()), "--ca",
        daemon.dir.resolve("ca.crt").toString(), "--cert", cert.toString(), "--key", key.toString()));
    all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(all.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void withAttestTheDeviceQuotesWithThePersistedAkAndGetsTheCommand() throws Exception {
    Run r = client("--attest", "--tpm", tpm.tcti(), "127.0.0.1", "UNLOCK");
    assertEquals(0, r.code(), r.toString());
    assertEquals("DISK_KEY\n", r.out());
    assertEquals("", r.err(), "the up-front quote of every PCR was accepted");
  }

  @Test
  void withoutAttestTheRefusalSaysWhatToQuote() throws Exception {
    Run r = client("127.0.0.1", "UNLOCK");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("ERR ATTESTATION_REQUIRED golden sha256:0,2,7"), r.err());
  }

  @Test
  void aDeviceMadeOfTpm2ToolsQuotesThroughTheDocumentedVerbs() throws Exception {
    SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder()
        .addTrustedCertificate(daemon.pki.rootCertificate()).certifiedKey(CertifiedKey.load(cert, key)).build(),
        Duration.ofSeconds(10));
    try (Connection c = client.connect("127.0.0.1", daemon.port())) {
      assertEquals("ERR ATTESTATION_REQUIRED golden sha256:0,2,7", c.send("UNLOCK").line());
      byte[] nonce = Base64.getDecoder().decode(c.send("NONCE").text());
      Path attest = dir.resolve("attest.bin");
      Path sig = dir.resolve("sig.bin");
      Path values = dir.resolve("values.bin");
      // protocol.md's recipe: the TPMS_ATTEST (-m), the TPMT_SIGNATURE (-s, tpm2-tools' default format), raw values
      tpm.tool("tpm2_quote", "-c", "0x81000002", "-l", "sha256:0,2,7", "-q", HexFormat.of().formatHex(nonce),
          "-m", attest.toString(), "-s", sig.toString());
      tpm.tool("tpm2_pcrread", "sha256:0,2,7", "-o", values.toString());
      Base64.Encoder b = Base64.getEncoder();
      assertEquals("ATTESTED golden", c.send("QUOTE " + b.encodeToString(Files.readAllBytes(attest)) + " "
          + b.encodeToString(Files.readAllBytes(sig)) + " " + b.encodeToString(Files.readAllBytes(values))).line());
      assertEquals("DISK_KEY", c.send("UNLOCK").text());
    }
  }

  @Test
  void aTpmThatCannotBeOpenedIsATlsOrTokenFailure() throws Exception {
    Run r = client("--attest", "--tpm", "device:/nonexistent/tpm", "127.0.0.1", "UNLOCK");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("/nonexistent/tpm"), r.err());
  }
}
