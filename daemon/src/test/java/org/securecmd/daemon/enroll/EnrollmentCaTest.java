package org.securecmd.daemon.enroll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.tls.TestPki;

/** The issuing CA is checked like the server's own material, and must be one devices can connect with. */
class EnrollmentCaTest {
  @TempDir Path dir;
  private final TestPki pki = new TestPki("Fleet");

  private Config config() throws Exception {
    return ConfigLoader.parse(dir.resolve("config.toml"),
        "[enrollment]\nca_certificate = \"issuing.crt\"\nca_key = \"issuing.key\"\nallow = [\"dev-*\"]\n");
  }

  private EnrollmentCa load(List<java.security.cert.X509Certificate> clientCas) throws Exception {
    Config c = config();
    return EnrollmentCa.load(c.enrollment().orElseThrow(), c.origins(), clientCas, Instant.now());
  }

  @Test
  void anIntermediateIssuedByAClientCaLoads() throws Exception {
    pki.intermediate().write(dir, "issuing");
    EnrollmentCa ca = load(List.of(pki.rootCertificate()));
    assertEquals(pki.intermediate().certificate(), ca.certificate());
  }

  @Test
  void aCaDevicesCouldNotConnectWithIsRefused() throws Exception {
    pki.intermediate().write(dir, "issuing");
    ConfigException e = assertThrows(ConfigException.class, () -> load(List.of(new TestPki("Other").rootCertificate())));
    assertTrue(e.getMessage().contains("[enrollment] ca_certificate") && e.getMessage().contains("neither one of [clients] ca"),
        e.getMessage());
  }

  @Test
  void aKeyReadableByAllUsersIsRefused() throws Exception {
    Path[] files = pki.intermediate().write(dir, "issuing");
    Files.setPosixFilePermissions(files[1], PosixFilePermissions.fromString("rw-r--r--"));
    ConfigException e = assertThrows(ConfigException.class, () -> load(List.of(pki.rootCertificate())));
    assertTrue(e.getMessage().contains("[enrollment] ca_key") && e.getMessage().contains("accessible by all users"),
        e.getMessage());
  }

  @Test
  void aLeafIsNotACa() throws Exception {
    pki.issue(TestPki.spec("dev-1").clientAuth()).write(dir, "issuing");
    ConfigException e = assertThrows(ConfigException.class, () -> load(List.of(pki.rootCertificate())));
    assertTrue(e.getMessage().contains("is not a CA certificate"), e.getMessage());
  }
}
