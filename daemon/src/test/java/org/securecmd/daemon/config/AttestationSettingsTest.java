package org.securecmd.daemon.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.tls.TestPki;

/** {@code [attestation]} with real EK CA bundles on disk (the value rows are in {@link ConfigLoaderTest}). */
class AttestationSettingsTest {
  private static final TestPki PKI = new TestPki("EK Root");

  @TempDir
  Path dir;

  /** {@code table} with the [enrollment] it needs after it ([enrollment]'s files are read by its loader, not here). */
  private Config parse(String table) throws ConfigException {
    String enrollment = table.isEmpty() ? "" : "\n[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\n";
    return ConfigLoader.parse(dir.resolve("config.toml"), table + enrollment);
  }

  private static String pem(java.security.cert.X509Certificate c) throws Exception {
    return TestPki.pem("CERTIFICATE", c.getEncoded());
  }

  @Test
  void aBundleOfRootAndIntermediateLoadsWithTheDocumentedDefaults() throws Exception {
    TestPki.Issued intermediate = PKI.intermediate();
    Files.writeString(dir.resolve("ek-ca.pem"), pem(PKI.rootCertificate()) + pem(intermediate.certificate()), UTF_8);
    Config c = parse("[attestation]\nek_ca = \"ek-ca.pem\"\n");
    AttestationSettings a = c.attestation().orElseThrow();
    assertEquals(dir.resolve("ek-ca.pem"), a.ekCa());
    assertEquals(List.of(PKI.rootCertificate(), intermediate.certificate()), a.ekCaCertificates());
    assertEquals(AttestationSettings.EnrollMode.REGISTERED, a.enroll());
    assertEquals(Duration.ofSeconds(60), a.stepTimeout());
    assertEquals(4, a.maxEnrollmentsPerAddress());
    assertEquals(64, a.maxEnrollments());
  }

  @Test
  void everyKeyIsReadAsWritten() throws Exception {
    Files.writeString(dir.resolve("ek-ca.pem"), pem(PKI.rootCertificate()), UTF_8);
    AttestationSettings a = parse("[attestation]\nek_ca = \"ek-ca.pem\"\nenroll = \"approve\"\nstep_timeout = \"2m\"\n"
        + "max_enrollments_per_address = 2\nmax_enrollments = 10\n").attestation().orElseThrow();
    assertEquals(AttestationSettings.EnrollMode.APPROVE, a.enroll());
    assertEquals(Duration.ofMinutes(2), a.stepTimeout());
    assertEquals(2, a.maxEnrollmentsPerAddress());
    assertEquals(10, a.maxEnrollments());
  }

  @Test
  void absentTableIsOff() throws Exception {
    assertEquals(Optional.empty(), parse("").attestation());
  }

  @Test
  void aBundleWithoutCertificatesIsRefusedNamingFileLineAndKey() throws Exception {
    Files.writeString(dir.resolve("ek-ca.pem"), "", UTF_8);
    ConfigException e = assertThrows(ConfigException.class, () -> parse("[attestation]\n\nek_ca = \"ek-ca.pem\"\n"));
    assertEquals(dir.resolve("config.toml") + ":3: [attestation] ek_ca = \"" + dir.resolve("ek-ca.pem")
        + "\": holds no certificate; expected one or more EK CA certificates (PEM)", e.getMessage());
  }

  @Test
  void aFileThatIsNotPemIsRefused() throws Exception {
    Files.writeString(dir.resolve("ek-ca.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        UTF_8);
    ConfigException e = assertThrows(ConfigException.class, () -> parse("[attestation]\nek_ca = \"ek-ca.pem\"\n"));
    assertEquals(2, e.line());
    assertEquals("[attestation] ek_ca = \"" + dir.resolve("ek-ca.pem") + "\":", e.key());
  }

  @Test
  void anEkCertificateInTheBundleIsRefusedBecauseItWouldBeTrustedAsACa() throws Exception {
    TestPki.Issued ek = PKI.issue(TestPki.spec("not-a-ca"));
    Files.writeString(dir.resolve("ek-ca.pem"), pem(PKI.rootCertificate()) + pem(ek.certificate()), UTF_8);
    ConfigException e = assertThrows(ConfigException.class, () -> parse("[attestation]\nek_ca = \"ek-ca.pem\"\n"));
    assertEquals(dir.resolve("config.toml") + ":2: [attestation] ek_ca = \"" + dir.resolve("ek-ca.pem")
        + "\": \"" + ek.certificate().getSubjectX500Principal().getName() + "\" is not a CA certificate"
        + " (basicConstraints CA:TRUE); the bundle holds EK CAs, not EK certificates", e.getMessage());
  }
}
