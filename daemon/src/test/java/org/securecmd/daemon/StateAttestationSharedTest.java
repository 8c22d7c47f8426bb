package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.attest.VerifiedEk;
import org.securecmd.daemon.state.TestPostgres;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;
import org.securecmd.tpm.EndorsementKeyType;
import org.securecmd.tpm.PcrSelection;
import org.securecmd.tpm.Swtpm;
import org.securecmd.tpm.Tpm;

/**
 * Quotes on two hosts sharing one PostgreSQL: a device enrolled through host A is attested through host B
 * (B finds A's enrollment and issuance records), and with {@code on_mismatch = "deny"} a mismatching quote on
 * A puts the device on the deny list of both, closing its connection to B.
 */
class StateAttestationSharedTest {
  @TempDir static Path dir;
  @RegisterExtension
  static final TestPostgres pg = new TestPostgres();
  private static Swtpm tpm;

  @BeforeAll
  static void start() throws Exception {
    tpm = Swtpm.start(Files.createDirectories(dir.resolve("tpm")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (tpm != null) tpm.close();
  }

  private static String config(String url, String golden) {
    String base = StateAttestationTest.config(golden, "deny");
    String state = "[state]\ndirectory = \"state\"\n";
    assertTrue(base.contains(state));
    return base.replace(state, """
        [state]
        directory = "state"
        backend = "postgresql"
        url = "%s"
        user = "%s"
        password_file = "%s"
        """.formatted(url, TestPostgres.USER, pg.passwordFile()));
  }

  @Test
  void aMismatchOnHostADeniesTheDeviceOnHostBToo() throws Exception {
    String golden;
    try (Tpm t = tpm.open()) {
      golden = StateAttestationTest.valueSet(t.pcrRead(PcrSelection.sha256(StateAttestationTest.GOLDEN)).values());
    }
    String url = pg.url(pg.createDatabase());
    TestPki pki = new TestPki("Shared fleet");
    Path hostA = Files.createDirectories(dir.resolve("a"));
    Path hostB = Files.createDirectories(dir.resolve("b"));
    for (Path h : new Path[] {hostA, hostB}) {
      pki.intermediate().write(h, "enroll-ca");
      Files.copy(tpm.caCert, h.resolve("ek-ca.pem"));
    }
    try (TestDaemon a = TestDaemon.start(hostA, config(url, golden), pki);
         TestDaemon b = TestDaemon.startLike(a, hostB, config(url, golden));
         TpmDevice dev = TpmDevice.open(tpm, EndorsementKeyType.RSA_2048)) {
      String ek = VerifiedEk.keySha256(certificate(dev.tpm.endorsementCertificate(dev.type)));
      assertEquals(0, new Ctl(a.daemon.adminSocket()).run("enroll", "add", "dev-q", "--ek-sha256", ek).code());
      List<X509Certificate> chain = enroll(a, dev);
      try (Connection onA = connect(a, dev, chain); Connection onB = connect(b, dev, chain)) {
        assertEquals("ATTESTED golden", attest(dev, onB).line(), "B checks the quote with the AK A recorded");
        assertEquals("DISK_KEY_ONLY_IN_GOLDEN_STATE", onB.send("UNLOCK").text());
        dev.tpm.pcrExtend(16, MessageDigest.getInstance("SHA-256").digest("rootkit".getBytes(StandardCharsets.UTF_8)));
        Reply mismatch;
        try {
          mismatch = attest(dev, onA);
        } finally {
          dev.tpm.pcrReset(16);
        }
        assertEquals(ErrorCode.STATE_MISMATCH, mismatch.code(), mismatch.toString());
        assertEquals(ErrorCode.FORBIDDEN, awaitRefused(onB, Duration.ofSeconds(15)), "B closes the device too");
        Ctl.Result revokedOnB = new Ctl(b.daemon.adminSocket()).run("revoked");
        assertTrue(revokedOnB.out().contains("dev-q"), revokedOnB.toString());
        Ctl.Result shownOnB = new Ctl(b.daemon.adminSocket()).run("attest", "show", "dev-q");
        assertTrue(shownOnB.out().contains("values sha256 " + mismatch.text()), "A's quote, read on B: " + shownOnB);
      }
    }
  }

  /** PING on {@code c} until the deny list reaches its host (FORBIDDEN, or closed), within {@code bound}. */
  private static ErrorCode awaitRefused(Connection c, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      Reply r;
      try {
        r = c.send("PING");
      } catch (ClientException closed) {
        return ErrorCode.FORBIDDEN; // the ERR FORBIDDEN line was read by an earlier PING's turn
      }
      if (r.isError()) return r.code();
      Thread.sleep(100); // a poll with a deadline: the other host's follower applies the deny list on its own
    }
    throw new AssertionError("host B still served the denied device after " + bound);
  }

  private static Reply attest(TpmDevice dev, Connection c) throws Exception {
    Reply n = c.send("NONCE");
    assertFalse(n.isError(), n.toString());
    return c.send(StateAttestationTest.quoteLine(dev, dev.ak, Base64.getDecoder().decode(n.text()),
        StateAttestationTest.GOLDEN));
  }

  private static Connection connect(TestDaemon host, TpmDevice dev, List<X509Certificate> chain) throws Exception {
    return new SecureCmdClient(new HandshakeSetup.Builder().addTrustedCertificate(host.pki.rootCertificate())
        .certifiedKey(dev.certifiedKey(dev.tls, chain)).build(), Duration.ofSeconds(10))
        .connect("127.0.0.1", host.port());
  }

  private static List<X509Certificate> enroll(TestDaemon host, TpmDevice dev) throws Exception {
    try (Connection conn = host.client(null).connect("127.0.0.1", host.port())) {
      Reply challenge = conn.send(dev.enroll());
      assertFalse(challenge.isError(), challenge.toString());
      Reply issued = conn.send(dev.proof(TpmDevice.Challenge.parse(challenge.text())));
      assertFalse(issued.isError(), issued.toString());
      List<X509Certificate> out = new ArrayList<>();
      for (String f : issued.text().split(" ")) out.add(certificate(Base64.getDecoder().decode(f)));
      return out;
    }
  }

  private static X509Certificate certificate(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }
}
