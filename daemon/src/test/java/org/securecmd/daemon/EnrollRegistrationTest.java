package org.securecmd.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.admin.Json;
import org.securecmd.daemon.state.PendingEnrollment;
import org.securecmd.daemon.state.RegistryFile;
import org.securecmd.tls.TestPki;

/**
 * {@code securecmdctl enroll ...} end to end against a real daemon with the file backend: registering TPMs by
 * EK certificate (PEM and DER) or hash, one EK one name, a factory CSV import, approving and rejecting
 * pending requests, and the counts in {@code status}. The EK identity is checked against the openssl
 * pipeline the operator's guide gives.
 */
class EnrollRegistrationTest {
  /** Stands in for a TPM manufacturer: EK certificates are ordinary X.509 certificates for this purpose. */
  private static final TestPki MAKER = new TestPki("EK Maker");

  @TempDir Path dir;
  private TestDaemon d;

  @AfterEach
  void stop() throws InterruptedException {
    if (d != null) d.close();
  }

  /** [attestation] with the [enrollment] it needs, whose issuing CA exists once TestDaemon made the PKI. */
  static final String ATTESTATION = """
      [attestation]
      ek_ca = "ek-ca.pem"
      enroll = "approve"
      [enrollment]
      ca_certificate = "issuing.crt"
      ca_key = "issuing.key"
      """;

  private Ctl start() throws Exception {
    MAKER.writeRoot(dir.resolve("ek-ca.pem"));
    d = TestDaemon.start(dir, TestDaemon.config("", ""));
    d.pki.intermediate().write(d.dir, "issuing");
    d.writeConfig(TestDaemon.config("", ATTESTATION));
    TestDaemonAccess.reload(d);
    return new Ctl(d.daemon.adminSocket());
  }

  /** An EK certificate in PEM; its DER beside it as NAME.der. */
  private Path ekCertificate(String name) throws Exception {
    TestPki.Issued ek = MAKER.issue(TestPki.spec(name).rsa());
    Files.write(dir.resolve(name + ".der"), ek.certificate().getEncoded());
    Path pem = dir.resolve(name + ".pem");
    Files.writeString(pem, TestPki.pem("CERTIFICATE", ek.certificate().getEncoded()), UTF_8);
    return pem;
  }

  /** The operator's guide's pipeline. */
  private static String opensslEkSha256(Path pem) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", "openssl x509 -in \"$1\" -pubkey -noout"
        + " | openssl pkey -pubin -outform DER | sha256sum", "sh", pem.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    return out.substring(0, 64);
  }

  @Test
  void anEkRegisteredByCertificateHasTheDocumentedHashAndOneName() throws Exception {
    Ctl ctl = start();
    Path ek = ekCertificate("ek-1");
    String hash = opensslEkSha256(ek);
    Ctl.Result added = ctl.run("enroll", "add", "dev-1", "--ek-cert", ek.toString());
    assertEquals(0, added.code(), added.toString());
    assertEquals("registered dev-1 = EK " + hash + "\n", added.out());
    Ctl.Result der = ctl.run("enroll", "add", "dev-1", "--ek-cert", dir.resolve("ek-1.der").toString());
    assertEquals("already registered: dev-1 = EK " + hash + "\n", der.out(), der.toString());
    Ctl.Result secondName = ctl.run("enroll", "add", "dev-2", "--ek-sha256", hash.toUpperCase());
    assertEquals(1, secondName.code(), secondName.toString());
    assertEquals("securecmdctl: enroll add: EK " + hash + " is registered as \"dev-1\"; one TPM has one name:"
        + " remove it first\n", secondName.err());
    Ctl.Result secondEk = ctl.run("--json", "enroll", "add", "dev-1", "--ek-sha256", "ab".repeat(32));
    assertEquals(1, secondEk.code());
    assertEquals("CONFLICT", ((Map<?, ?>) Json.parse(secondEk.out())).get("error"));
    Map<?, ?> list = (Map<?, ?>) Json.parse(ctl.run("--json", "enroll", "list").out());
    List<?> regs = (List<?>) list.get("registrations");
    assertEquals(1, regs.size());
    Map<?, ?> one = (Map<?, ?>) regs.get(0);
    assertEquals("dev-1", one.get("name"));
    assertEquals(hash, one.get("ek_sha256"));
    assertTrue(String.valueOf(one.get("by")).endsWith("@" + java.net.InetAddress.getLocalHost().getHostName())
        || String.valueOf(one.get("by")).contains("@"), String.valueOf(one.get("by")));
    assertTrue(ctl.run("status").out().contains("enrollment:  1 TPM(s) registered, 0 waiting for approval"),
        ctl.run("status").out());
    assertEquals(0, ctl.run("enroll", "remove", "dev-1").code());
    Ctl.Result again = ctl.run("enroll", "remove", "dev-1");
    assertEquals(1, again.code());
    assertEquals("securecmdctl: enroll remove: \"dev-1\" is not registered\n", again.err());
    assertEquals(0, ctl.run("enroll", "add", "dev-2", "--ek-sha256", hash).code(), "the EK is free again");
  }

  @Test
  void badCommandLinesAreUsageErrorsAndSendNothing() throws Exception {
    Ctl ctl = start();
    assertEquals(2, ctl.run("enroll", "add", "dev-1").code());
    assertEquals(2, ctl.run("enroll", "add", "dev-1", "--ek-sha256", "abc").code());
    assertEquals(2, ctl.run("enroll", "add", "dev-1", "--ek-sha256", "ab".repeat(32), "--ek-cert", "x").code());
    Ctl.Result missing = ctl.run("enroll", "add", "dev-1", "--ek-cert", dir.resolve("none.pem").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("none.pem: cannot read the EK certificate"), missing.err());
    assertEquals(2, ctl.run("enroll", "frobnicate").code());
    assertEquals(2, ctl.run("enroll", "list", "extra").code());
    Ctl.Result help = ctl.run("enroll", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("enroll approve ID NAME"), help.out());
    Ctl.Result badName = ctl.run("enroll", "add", "a,b", "--ek-sha256", "ab".repeat(32));
    assertEquals(1, badName.code());
    assertTrue(badName.err().contains("without white space, commas or control characters"), badName.err());
    assertEquals("0 registered TPM(s)\n", ctl.run("enroll", "list").out().lines().skip(1).findFirst().orElse("") + "\n");
  }

  @Test
  void aPendingRequestIsApprovedUnderANameOrRejected() throws Exception {
    RegistryFile before = new RegistryFile(Files.createDirectories(dir.resolve("state")));
    before.addPending(new PendingEnrollment("1".repeat(64), "192.0.2.7", Instant.parse("2026-12-07T04:00:00Z"),
        new byte[] {0, 1, 2}));
    before.addPending(new PendingEnrollment("2".repeat(64), "192.0.2.8", Instant.parse("2026-12-07T04:01:00Z"),
        new byte[] {0, 1, 3}));
    Ctl ctl = start();
    Ctl.Result pending = ctl.run("enroll", "pending");
    assertTrue(pending.out().contains("111111111111 " + "1".repeat(64) + " 192.0.2.7"), pending.out());
    assertTrue(pending.out().endsWith("2 enrollment(s) waiting for approval (securecmdctl enroll approve ID NAME)\n"));
    assertTrue(ctl.run("status").out().contains("0 TPM(s) registered, 2 waiting for approval"));
    Ctl.Result approved = ctl.run("enroll", "approve", "111111111111", "dev-7");
    assertEquals(0, approved.code(), approved.toString());
    assertEquals("approved 111111111111 as dev-7 (EK " + "1".repeat(64) + "); the device enrolls when it runs enroll"
        + " again\n", approved.out());
    Ctl.Result taken = ctl.run("enroll", "approve", "222222222222", "dev-7");
    assertEquals(1, taken.code());
    assertTrue(taken.err().contains("\"dev-7\" is registered to another EK"), taken.err());
    assertEquals(0, ctl.run("enroll", "reject", "222222222222").code());
    Ctl.Result gone = ctl.run("enroll", "reject", "222222222222");
    assertEquals(1, gone.code());
    assertEquals("securecmdctl: enroll reject: no pending enrollment 222222222222\n", gone.err());
    Map<?, ?> p = (Map<?, ?>) Json.parse(ctl.run("--json", "enroll", "pending").out());
    assertEquals(List.of(), p.get("pending"));
    assertTrue(ctl.run("enroll", "list").out().contains("dev-7"));
  }

  @Test
  void aFactoryCsvIsImportedInPiecesAndEveryLineIsReported() throws Exception {
    Ctl ctl = start();
    Path ek = ekCertificate("ek-a");
    String hashA = opensslEkSha256(ek);
    StringBuilder csv = new StringBuilder("name,ek\n# factory run 7\n");
    csv.append("board-a,ek-a.pem\n");                       // line 3: by certificate (relative to the CSV)
    csv.append("board-b,").append("b".repeat(64)).append('\n'); // line 4: by hash
    csv.append("board-c,").append(hashA).append('\n');      // line 5: the EK of board-a again
    csv.append("board-d,missing.pem\n");                    // line 6: no such file
    csv.append("board e,").append("e".repeat(64)).append('\n'); // line 7: a name with a space
    csv.append("\n");
    for (int i = 0; i < 120; i++) {                        // lines 9..128: several requests' worth
      csv.append(String.format("fleet-%03d,%064x%n", i, i + 1));
    }
    Files.writeString(dir.resolve("factory.csv"), csv, UTF_8);
    Ctl.Result r = ctl.run("enroll", "import", dir.resolve("factory.csv").toString());
    assertEquals(1, r.code(), r.toString());
    List<String> out = r.out().lines().toList();
    assertEquals("line 3: board-a: registered", out.get(0));
    assertEquals("line 4: board-b: registered", out.get(1));
    assertEquals("line 5: board-c: REFUSED: EK " + hashA + " is registered as \"board-a\"; one TPM has one name:"
        + " remove it first", out.get(2));
    assertTrue(out.get(3).startsWith("line 6: board-d: REFUSED: " + dir.resolve("missing.pem")
        + ": cannot read the EK certificate"), out.get(3));
    assertEquals("line 7: board e: REFUSED: a device name is 1 to 64 characters without white space, commas or"
        + " control characters", out.get(4));
    assertEquals("line 128: fleet-119: registered", out.get(124));
    assertEquals("122 registered, 0 already registered, 3 refused", out.get(125));
    Ctl.Result again = ctl.run("--json", "enroll", "import", dir.resolve("factory.csv").toString());
    Map<?, ?> json = (Map<?, ?>) Json.parse(again.out());
    assertFalse((Boolean) json.get("ok"));
    assertEquals(125, ((List<?>) json.get("results")).size());
    assertEquals(Boolean.FALSE, ((Map<?, ?>) ((List<?>) json.get("results")).get(0)).get("changed"),
        "already registered");
    assertEquals(122, ((List<?>) ((Map<?, ?>) Json.parse(ctl.run("--json", "enroll", "list").out()))
        .get("registrations")).size());
  }

  @Test
  void statusSaysNothingOfEnrollmentWithoutAttestation() throws Exception {
    d = TestDaemon.start(dir, TestDaemon.config("", ""));
    Ctl ctl = new Ctl(d.daemon.adminSocket());
    assertFalse(ctl.run("status").out().contains("enrollment:"));
    assertFalse(((Map<?, ?>) Json.parse(ctl.run("--json", "status").out())).containsKey("enrollment"));
  }
}
