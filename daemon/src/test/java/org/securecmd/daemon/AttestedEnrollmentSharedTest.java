package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.daemon.attest.VerifiedEk;
import org.securecmd.daemon.state.TestPostgres;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.TestPki;
import org.securecmd.tpm.EndorsementKeyType;
import org.securecmd.tpm.Swtpm;

/**
 * Two daemons of one fleet on one real PostgreSQL: a TPM registered with securecmdctl on host A enrolls
 * through host B, and the enrollment B recorded is what A then sees (its serial is denied on A when the TPM
 * enrolls again through A).
 */
class AttestedEnrollmentSharedTest {
  @TempDir static Path dir;
  @RegisterExtension static final TestPostgres pg = new TestPostgres();
  private static Swtpm tpm;

  @BeforeAll
  static void start() throws Exception {
    tpm = Swtpm.start(Files.createDirectories(dir.resolve("tpm")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (tpm != null) tpm.close();
  }

  private static String config(String url) {
    String base = AttestedEnrollmentTest.config("registered");
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
  void aTpmRegisteredOnHostAEnrollsThroughHostB() throws Exception {
    String url = pg.url(pg.createDatabase());
    TestPki pki = new TestPki("Shared fleet");
    Path hostA = Files.createDirectories(dir.resolve("a"));
    Path hostB = Files.createDirectories(dir.resolve("b"));
    for (Path h : new Path[] {hostA, hostB}) {
      pki.intermediate().write(h, "enroll-ca");
      Files.copy(tpm.caCert, h.resolve("ek-ca.pem"));
    }
    try (TestDaemon a = TestDaemon.start(hostA, config(url), pki);
         TestDaemon b = TestDaemon.startLike(a, hostB, config(url))) {
      String ek;
      try (TpmDevice dev = TpmDevice.open(tpm, EndorsementKeyType.RSA_2048)) {
        ek = VerifiedEk.keySha256(certificate(dev.tpm.endorsementCertificate(dev.type)));
      }
      Ctl.Result added = new Ctl(a.daemon.adminSocket()).run("enroll", "add", "dev-shared", "--ek-sha256", ek);
      assertEquals(0, added.code(), added.toString());

      X509Certificate first = enrollThrough(b);
      assertEquals(new X500Principal("CN=dev-shared"), first.getSubjectX500Principal());
      enrollThrough(a); // the TPM enrolls again, through A: A finds B's enrollment of that EK and denies it
      Ctl.Result revoked = new Ctl(a.daemon.adminSocket()).run("revoked");
      assertTrue(revoked.out().toLowerCase(java.util.Locale.ROOT).contains(first.getSerialNumber().toString(16)),
          revoked.toString());
    }
  }

  private static X509Certificate enrollThrough(TestDaemon host) throws Exception {
    try (TpmDevice dev = TpmDevice.open(tpm, EndorsementKeyType.RSA_2048);
         Connection conn = host.client(null).connect("127.0.0.1", host.port())) {
      Reply challenge = conn.send(dev.enroll());
      assertFalse(challenge.isError(), challenge.toString());
      Reply issued = conn.send(dev.proof(TpmDevice.Challenge.parse(challenge.text())));
      assertFalse(issued.isError(), issued.toString());
      assertEquals(ErrorCode.FORBIDDEN, conn.send("GET_SECRET").code());
      return certificate(Base64.getDecoder().decode(issued.text().split(" ")[0]));
    }
  }

  private static X509Certificate certificate(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }
}
