package org.securecmd.daemon.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.tls.TestPki;

/** Each broken TLS file gives one message naming the config line and key that points at it. */
class ServerTlsTest {
  @TempDir Path dir;
  TestPki pki;
  Instant now = Instant.now();

  static final String CONFIG = """
      [tls]
      certificate = "server.crt"
      private_key = "server.key"
      [clients]
      auth = "required"
      ca = "ca.crt"
      crl = "%s"
      allow = ["*"]
      """;

  @BeforeEach
  void pki() throws Exception {
    pki = new TestPki("T");
    pki.issue(TestPki.spec("127.0.0.1").ip("127.0.0.1").serverAuth()).write(dir, "server");
    pki.writeRoot(dir.resolve("ca.crt"));
  }

  private Config config(String crl) throws ConfigException {
    return ConfigLoader.parse(dir.resolve("config.toml"), CONFIG.formatted(crl));
  }

  private String error(String crl) {
    return assertThrows(ConfigException.class, () -> ServerTls.load(config(crl), now)).getMessage();
  }

  private String at(int line, String key, String file) {
    return dir.resolve("config.toml") + ":" + line + ": " + key + " = \"" + dir.resolve(file) + "\": ";
  }

  @Test
  void goodFilesLoadIntoAContextWithTheChain() throws Exception {
    TlsMaterial m = ServerTls.load(config(""), now);
    assertNotNull(m.context());
    assertEquals(2, m.serverKey().chain().size(), "leaf and intermediate");
    assertEquals(true, m.parameters().getNeedClientAuth());
  }

  @Test
  void missingCertificateFile() throws Exception {
    Files.delete(dir.resolve("server.crt"));
    assertEquals(at(2, "[tls] certificate", "server.crt") + "cannot read: no such file", error(""));
  }

  @Test
  void certificateFileWithoutCertificate() throws Exception {
    Files.writeString(dir.resolve("server.crt"), "hello\n");
    assertEquals(at(2, "[tls] certificate", "server.crt") + "not a PEM certificate file: no CERTIFICATE block in "
        + dir.resolve("server.crt"), error(""));
  }

  @Test
  void missingKeyFile() throws Exception {
    Files.delete(dir.resolve("server.key"));
    assertEquals(at(3, "[tls] private_key", "server.key") + "cannot read: no such file", error(""));
  }

  @Test
  void worldReadableKeyIsRefused() throws Exception {
    Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(at(3, "[tls] private_key", "server.key") + "is accessible by all users (mode rw-r--r--); run: chmod 0640 "
        + dir.resolve("server.key") + " (or 0600)", error(""));
  }

  @Test
  void groupReadableKeyIsAccepted() throws Exception {
    Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-r-----"));
    assertNotNull(ServerTls.load(config(""), now));
  }

  @Test
  void keyOfAnotherCertificateIsRefused() throws Exception {
    pki.issue(TestPki.spec("other").serverAuth()).write(dir, "other");
    Files.move(dir.resolve("other.key"), dir.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(at(3, "[tls] private_key", "server.key") + "does not match the certificate in " + dir.resolve("server.crt"),
        error(""));
  }

  @Test
  void rsaKeyForAnEcCertificateIsRefused() throws Exception {
    pki.issue(TestPki.spec("other").rsa().serverAuth()).write(dir, "other");
    Files.move(dir.resolve("other.key"), dir.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(at(3, "[tls] private_key", "server.key") + "does not match the certificate in " + dir.resolve("server.crt"),
        error(""));
  }

  @Test
  void expiredServerCertificateIsRefused() throws Exception {
    Instant notAfter = now.minus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    pki.issue(TestPki.spec("127.0.0.1").validity(now.minus(Duration.ofDays(30)), notAfter).serverAuth()).write(dir, "server");
    assertEquals(at(2, "[tls] certificate", "server.crt") + "the server certificate expired on " + notAfter, error(""));
  }

  @Test
  void notYetValidServerCertificateIsRefused() throws Exception {
    Instant notBefore = now.plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    pki.issue(TestPki.spec("127.0.0.1").validity(notBefore, now.plus(Duration.ofDays(30))).serverAuth()).write(dir, "server");
    assertEquals(at(2, "[tls] certificate", "server.crt") + "the server certificate is not valid before " + notBefore,
        error(""));
  }

  @Test
  void missingClientCa() throws Exception {
    Files.delete(dir.resolve("ca.crt"));
    assertEquals(at(6, "[clients] ca", "ca.crt") + "cannot read: no such file", error(""));
  }

  @Test
  void crlThatIsNotACrl() throws Exception {
    Files.writeString(dir.resolve("crl.pem"), "garbage");
    String m = error("crl.pem");
    assertEquals(true, m.startsWith(at(7, "[clients] crl", "crl.pem") + "not a CRL (PEM or DER)"), m);
  }

  @Test
  void crlFromAnotherCaIsRefused() throws Exception {
    TestPki other = new TestPki("Other");
    Files.write(dir.resolve("crl.der"), other.crl().getEncoded());
    assertEquals(at(7, "[clients] crl", "crl.der") + "is not signed by any certificate in [clients] ca (issuer CN=Other "
        + "Intermediate CA)", error("crl.der"));
  }

  @Test
  void derCrlSignedByTheClientCaLoads() throws Exception {
    Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE", pki.intermediate().certificate().getEncoded()));
    Files.write(dir.resolve("crl.der"), pki.crl().getEncoded());
    assertEquals(1, ServerTls.load(config("crl.der"), now).crls().size());
  }

  @Test
  void everyCrlOfAPemBundleIsLoadedInFileOrder() throws Exception {
    Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE", pki.rootCertificate().getEncoded())
        + TestPki.pem("CERTIFICATE", pki.intermediate().certificate().getEncoded()));
    TestPki.Issued revoked = pki.issue(TestPki.spec("device-2").clientAuth());
    Files.writeString(dir.resolve("crl.pem"), TestPki.pem("X509 CRL", pki.crl().getEncoded())
        + TestPki.pem("X509 CRL", pki.crl(revoked).getEncoded()));
    TlsMaterial m = ServerTls.load(config("crl.pem"), now);
    assertEquals(2, m.crls().size());
    assertEquals(false, m.crls().get(0).isRevoked(revoked.certificate()));
    assertEquals(true, m.crls().get(1).isRevoked(revoked.certificate()));
  }

  @Test
  void aBundleBlockFromAnotherCaIsNamedByItsNumber() throws Exception {
    Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE", pki.intermediate().certificate().getEncoded()));
    TestPki other = new TestPki("Other");
    Files.writeString(dir.resolve("crl.pem"), TestPki.pem("X509 CRL", pki.crl().getEncoded())
        + TestPki.pem("X509 CRL", pki.crl().getEncoded()) + TestPki.pem("X509 CRL", other.crl().getEncoded()));
    assertEquals(at(7, "[clients] crl", "crl.pem") + "block 3 of 3 (issuer CN=Other Intermediate CA) is not signed by "
        + "any certificate in [clients] ca: no CA there has that name", error("crl.pem"));
  }

  @Test
  void aDamagedBlockIsNamedByItsNumber() throws Exception {
    Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE", pki.intermediate().certificate().getEncoded()));
    byte[] crl = pki.crl().getEncoded();
    crl[crl.length - 5] ^= 0x55; // inside the signature
    Files.writeString(dir.resolve("crl.pem"), TestPki.pem("X509 CRL", pki.crl().getEncoded()) + TestPki.pem("X509 CRL", crl));
    String m = error("crl.pem");
    assertEquals(true, m.startsWith(at(7, "[clients] crl", "crl.pem") + "block 2 of 2 "), m);
  }

  @Test
  void perSocketParametersKeepTheServersCipherSuiteOrder() throws Exception {
    TlsMaterial m = ServerTls.load(config(""), now);
    assertEquals(true, m.parameters().getUseCipherSuitesOrder());
    assertEquals(true, m.newParameters().getUseCipherSuitesOrder());
    assertEquals(true, m.newParameters().getNeedClientAuth());
  }

  @Test
  void sessionTimeoutSetsTheServerSessionContext() throws Exception {
    assertEquals(3600, ServerTls.load(config(""), now).context().getServerSessionContext().getSessionTimeout());
    Config c = ConfigLoader.parse(dir.resolve("config.toml"), CONFIG.formatted("").replace("[tls]\n",
        "[tls]\nsession_timeout = \"2m\"\n"));
    assertEquals(120, ServerTls.load(c, now).context().getServerSessionContext().getSessionTimeout());
  }
}
