package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.daemon.TestDaemon;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertificationRequest;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.Pem;
import org.securecmd.tls.TestPki;

/** RENEW end to end: a real daemon on loopback, the real client CLI, real files. */
class RenewTest {
  @TempDir Path dir;
  private TestDaemon daemon;

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) daemon.close();
  }

  private static String enrollment(String renewBefore) {
    return """
        [enrollment]
        ca_certificate = "issuing.crt"
        ca_key = "issuing.key"
        validity = "365d"
        renew_before = "%s"
        allow = ["trusted-client", "dev-*"]
        """.formatted(renewBefore);
  }

  /** A daemon whose issuing CA is TestPki's intermediate (issued by the root in [clients] ca). */
  private TestDaemon start(String enrollmentTable) throws Exception {
    String allow = "allow = [\"trusted-client\", \"dev-*\"]";
    daemon = TestDaemon.start(dir, TestDaemon.config(allow, ""));
    if (!enrollmentTable.isEmpty()) { // the issuing CA's files exist once TestDaemon made the PKI
      daemon.pki.intermediate().write(dir, "issuing");
      daemon.writeConfig(TestDaemon.config(allow, enrollmentTable));
      org.securecmd.daemon.TestDaemonAccess.reload(daemon);
    }
    return daemon;
  }

  private record Run(int code, String out, String err) {}

  private Run client(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path[] deviceFiles(TestPki.Issued device) throws Exception {
    return device.write(dir, "client");
  }

  private Run renew(Path[] files, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("renew"));
    args.addAll(List.of(extra));
    args.addAll(List.of("--port", String.valueOf(daemon.port()), "--ca", dir.resolve("ca.crt").toString(),
        "--cert", files[0].toString(), "--key", files[1].toString(), "127.0.0.1"));
    return client(args.toArray(new String[0]));
  }

  private String whoami(Path[] files) throws Exception {
    Run r = client("--port", String.valueOf(daemon.port()), "--ca", dir.resolve("ca.crt").toString(),
        "--cert", files[0].toString(), "--key", files[1].toString(), "127.0.0.1", "WHOAMI");
    assertEquals(0, r.code(), r.err());
    return r.out().strip();
  }

  private static String serialOf(Path certFile) throws Exception {
    return Pem.readCertificates(certFile).get(0).getSerialNumber().toString(16);
  }

  @Test
  void renewWithTheSameKeyInstallsACertificateWithTheOldNamesAndTheDeviceConnectsWithIt() throws Exception {
    start(enrollment("3650d"));
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-1").dns("dev-1.example").uri("urn:x:dev-1").clientAuth());
    Path[] files = deviceFiles(device);
    byte[] keyBefore = Files.readAllBytes(files[1]);
    Run r = renew(files);
    assertEquals(0, r.code(), r.err());
    X509Certificate renewed = Pem.readCertificates(files[0]).get(0);
    assertNotEquals(device.certificate().getSerialNumber(), renewed.getSerialNumber());
    assertTrue(renewed.getSerialNumber().bitLength() >= 120, "random serial");
    assertEquals(device.certificate().getSubjectX500Principal(), renewed.getSubjectX500Principal());
    assertEquals(String.valueOf(device.certificate().getSubjectAlternativeNames()),
        String.valueOf(renewed.getSubjectAlternativeNames()));
    assertEquals(device.certificate().getExtendedKeyUsage(), renewed.getExtendedKeyUsage());
    assertTrue(renewed.getNotBefore().toInstant().isBefore(java.time.Instant.now().minusSeconds(60)), "backdated");
    assertTrue(java.util.Arrays.equals(keyBefore, Files.readAllBytes(files[1])), "same key");
    assertEquals(device.certificate(), Pem.readCertificates(FileInstall.sibling(files[0], ".old")).get(0));
    assertTrue(whoami(files).contains("serial=" + renewed.getSerialNumber().toString(16)), whoami(files));
    // at most one renewal with the same key per renew_before/2
    Run again = renew(files);
    assertEquals(1, again.code(), again.out());
    assertTrue(again.err().contains("ERR NOT_DUE"), again.err());
  }

  @Test
  void rekeyWritesAPrivateNewKeyAndRevokesTheOldSerialOnceTheNewOneConnects() throws Exception {
    start(enrollment("3650d"));
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-2").clientAuth());
    Path[] files = deviceFiles(device);
    Run r = renew(files, "--rekey");
    assertEquals(0, r.code(), r.err());
    CertifiedKey now = CertifiedKey.load(files[0], files[1]);
    assertNotEquals(device.certificate().getPublicKey(), now.leaf().getPublicKey());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files[1])));
    // the old pair still works until the new certificate is used
    assertEquals("PONG", daemon.send(device, "PING").text());
    assertTrue(whoami(files).contains("serial=" + now.leaf().getSerialNumber().toString(16)));
    // the old serial is revoked off the connection's thread (the issuance lookup may be a database): bounded wait
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    Reply old = daemon.send(device, "PING");
    while (!old.isError() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      old = daemon.send(device, "PING");
    }
    assertTrue(old.isError() && old.errorCode().equals("FORBIDDEN"), old.line());
    // a rekey is accepted at once, again
    assertEquals(0, renew(files, "--rekey").code());
  }

  @Test
  void ifExpiresWithinIsANoOpWhenNotDueAndTheServerRefusesWhenNotDue() throws Exception {
    start(enrollment("1d"));
    Path[] files = deviceFiles(daemon.pki.issue(TestPki.spec("dev-3").clientAuth()));
    String before = serialOf(files[0]);
    Run noop = renew(files, "--if-expires-within", "7d"); // TestPki's certificates expire in about 30 days
    assertEquals(0, noop.code(), noop.err());
    assertTrue(noop.out().contains("not due"), noop.out());
    assertEquals(before, serialOf(files[0]));
    Run refused = renew(files);
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("ERR NOT_DUE"), refused.err());
    assertEquals(before, serialOf(files[0]), "nothing installed");
  }

  @Test
  void revokedDeviceMayNotRenew() throws Exception {
    start(enrollment("3650d"));
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-4").clientAuth());
    Path[] files = deviceFiles(device);
    try (Connection c = daemon.connect(device)) {
      org.securecmd.daemon.TestDaemonAccess.revokeIdentity(daemon, "dev-4");
      Reply r = c.send("RENEW " + csr(device.keyPair(), "dev-4"));
      assertTrue(r.isError(), r.line());
    } catch (org.securecmd.client.ClientException closed) {
      // the revocation closed the connection first: refused either way
    }
    Run run = renew(files);
    assertNotEquals(0, run.code());
    assertEquals(device.certificate(), Pem.readCertificates(files[0]).get(0));
  }

  private static String csr(KeyPair kp, String cn) throws Exception {
    return Base64.getEncoder().encodeToString(CertificationRequest.der(kp.getPublic(), kp.getPrivate(), cn));
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  @Test
  void badRequestsGetStableCodesAndNamesStayTheOldOnes() throws Exception {
    start(enrollment("3650d"));
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-5").clientAuth());
    try (Connection c = daemon.connect(device)) {
      KeyPair other = ec();
      // CSR for one key signed by another: no proof of possession
      byte[] forged = CertificationRequest.der(device.keyPair().getPublic(), other.getPrivate(), "dev-5");
      assertEquals("BAD_CSR", c.send("RENEW " + Base64.getEncoder().encodeToString(forged)).errorCode());
      assertEquals("BAD_CSR", c.send("RENEW bm90IGEgY3Ny").errorCode());
      KeyPairGenerator weak = KeyPairGenerator.getInstance("RSA");
      weak.initialize(1024);
      assertEquals("WEAK_KEY", c.send("RENEW " + csr(weak.generateKeyPair(), "dev-5")).errorCode());
      assertEquals("BAD_REQUEST", c.send("RENEW").errorCode());
      // a CSR asking for another name gets the old names
      KeyPair fresh = ec();
      Reply r = c.send("RENEW " + csr(fresh, "trusted-admin"));
      assertFalse(r.isError(), r.line());
      String[] parts = r.text().split(" ");
      assertEquals(2, parts.length, "leaf then the issuing CA");
      X509Certificate leaf = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(parts[0])));
      assertEquals(device.certificate().getSubjectX500Principal(), leaf.getSubjectX500Principal());
      assertTrue(leaf.getSubjectX500Principal().getName().contains("dev-5"));
    }
  }

  @Test
  void withoutEnrollmentRenewIsAnUnknownCommand() throws Exception {
    start("");
    Path[] files = deviceFiles(daemon.device);
    Run r = renew(files);
    assertEquals(1, r.code());
    assertTrue(r.err().contains("ERR UNKNOWN_COMMAND") && r.err().contains("[enrollment]"), r.err());
  }

  @Test
  void concurrentRenewalsAreAllRecordedIntact() throws Exception {
    start(enrollment("3650d"));
    List<TestPki.Issued> devices = new ArrayList<>();
    for (int i = 0; i < 6; i++) devices.add(daemon.pki.issue(TestPki.spec("dev-c" + i).clientAuth()));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Reply>> replies = new ArrayList<>();
      for (TestPki.Issued d : devices) {
        Callable<Reply> call = () -> daemon.send(d, "RENEW " + csr(ec(), "x"));
        replies.add(pool.submit(call));
      }
      for (Future<Reply> f : replies) {
        Reply r = f.get(30, TimeUnit.SECONDS);
        assertFalse(r.isError(), r.line());
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> lines = Files.readAllLines(dir.resolve("state/issued"));
    assertEquals(6, lines.size(), String.join("\n", lines));
    for (String line : lines) assertEquals(8, line.split("\t", -1).length, line);
    org.securecmd.daemon.TestDaemonAccess.Admin ctl = org.securecmd.daemon.TestDaemonAccess.ctl(daemon);
    String issued = ctl.run("issued");
    for (TestPki.Issued d : devices) assertTrue(issued.contains(d.certificate().getSubjectX500Principal().getName()
        .replace("CN=", "")), issued);
    String index = ctl.run("issued-index");
    assertEquals(6, index.lines().filter(l -> l.startsWith("issued\t")).count(), index);
    String metrics = ctl.run("metrics");
    assertTrue(metrics.contains("securecmd_renewals_issued_total 6"), metrics);
  }

  @Test
  void issuedCertificateVerifiesWithOpensslAndIsRefusedOnceItsSerialIsRevoked() throws Exception {
    start(enrollment("3650d"));
    Path[] files = deviceFiles(daemon.pki.issue(TestPki.spec("dev-6").clientAuth()));
    assertEquals(0, renew(files).code());
    Path leaf = dir.resolve("leaf.pem");
    Files.writeString(leaf, TestPki.pem("CERTIFICATE", Pem.readCertificates(files[0]).get(0).getEncoded()));
    Process p = new ProcessBuilder("openssl", "verify", "-purpose", "sslclient", "-CAfile", dir.resolve("ca.crt").toString(),
        "-untrusted", dir.resolve("issuing.crt").toString(), leaf.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains(": OK"), out);
    org.securecmd.daemon.TestDaemonAccess.ctl(daemon).run("revoke", "--serial", serialOf(files[0]));
    Run r = client("--port", String.valueOf(daemon.port()), "--ca", dir.resolve("ca.crt").toString(),
        "--cert", files[0].toString(), "--key", files[1].toString(), "127.0.0.1", "PING");
    assertNotEquals(0, r.code());
  }

  @Test
  void deviceProvisionedWithTheTutorialsOpensslCommandsRenewsWithOneCommand() throws Exception {
    start(enrollment("3650d"));
    // the tutorial: openssl makes the device key and CSR, the CA signs it (here: the issuing CA, with openssl)
    exec("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "client.key", "-subj", "/CN=dev-tutorial", "-out", "client.csr");
    Files.writeString(dir.resolve("ext.cnf"), "extendedKeyUsage = clientAuth\n");
    exec("openssl", "x509", "-req", "-in", "client.csr", "-CA", "issuing.crt", "-CAkey", "issuing.key",
        "-CAcreateserial", "-days", "20", "-extfile", "ext.cnf", "-out", "client.crt");
    // [clients] ca is the root: the device presents its certificate with the issuing CA's
    Files.writeString(dir.resolve("client.crt"), Files.readString(dir.resolve("issuing.crt")),
        java.nio.file.StandardOpenOption.APPEND);
    Path[] files = {dir.resolve("client.crt"), dir.resolve("client.key")};
    String before = serialOf(files[0]);
    Run r = renew(files);
    assertEquals(0, r.code(), r.err());
    assertNotEquals(before, serialOf(files[0]));
    assertTrue(whoami(files).startsWith("cn=dev-tutorial"), whoami(files));
  }

  private void exec(String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
  }
}
