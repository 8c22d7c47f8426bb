package org.securecmd.daemon.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  private static final String A = "ab".repeat(32);
  private static final String B = "cd".repeat(32);

  @Test
  void statesAreReadAsWrittenWithTheDocumentedDefaults() throws Exception {
    Files.writeString(dir.resolve("ek-ca.pem"), pem(PKI.rootCertificate()), UTF_8);
    Config c = parse("[commands.SECRET]\nreply = \"s\"\nallow = [\"*\"]\nrequire_state = \"golden\"\n"
        + "[attestation]\nek_ca = \"ek-ca.pem\"\non_mismatch = \"deny\"\n"
        + "[attestation.states.golden]\npcrs = [7, 0, 2]\nmax_age = \"2m\"\n"
        + "allowed = [ { \"0\" = \"" + A + "\", \"2\" = \"" + A + "\", \"7\" = \"" + B.toUpperCase() + "\" } ]\n"
        + "[[attestation.states.learning.allowed]]\n\"4\" = \"" + B + "\"\n"
        + "[attestation.states.learning]\npcrs = [4]\n");
    AttestationSettings a = c.attestation().orElseThrow();
    assertEquals(AttestationSettings.OnMismatch.DENY, a.onMismatch());
    assertEquals(List.of("golden", "learning"), List.copyOf(a.states().keySet()));
    AttestationState golden = a.states().get("golden");
    assertEquals(List.of(0, 2, 7), golden.pcrs());
    assertEquals("sha256:0,2,7", golden.selection());
    assertEquals(Duration.ofMinutes(2), golden.maxAge());
    assertEquals(1, golden.allowed().size());
    assertEquals(B, java.util.HexFormat.of().formatHex(golden.allowed().get(0).get(7)));
    AttestationState learning = a.states().get("learning");
    assertEquals(Duration.ofMinutes(10), learning.maxAge(), "max_age defaults to 10m");
    assertEquals(List.of(4), learning.pcrs());
    assertEquals(1, learning.allowed().size(), "[[...allowed]] tables read as the inline form");
    CommandSettings secret = c.commands().get("SECRET");
    assertEquals(Optional.of("golden"), secret.requireState());
    assertEquals(true, secret.requireAttestedKey(), "require_state implies require_attested_key");
  }

  @Test
  void withoutStatesNothingIsRequiredAndMismatchRefuses() throws Exception {
    Files.writeString(dir.resolve("ek-ca.pem"), pem(PKI.rootCertificate()), UTF_8);
    AttestationSettings a = parse("[attestation]\nek_ca = \"ek-ca.pem\"\n").attestation().orElseThrow();
    assertEquals(Map.of(), a.states());
    assertEquals(AttestationSettings.OnMismatch.REFUSE, a.onMismatch());
  }

  @Test
  void requireStateOfAnUnknownStateNamesBothTables() throws Exception {
    Files.writeString(dir.resolve("ek-ca.pem"), pem(PKI.rootCertificate()), UTF_8);
    ConfigException e = assertThrows(ConfigException.class, () -> parse("[commands.SECRET]\nreply = \"s\"\n"
        + "require_state = \"gold\"\n[attestation]\nek_ca = \"ek-ca.pem\"\n[attestation.states.golden]\npcrs = [0]\n"
        + "[attestation.states.other]\npcrs = [1]\n"));
    assertEquals(dir.resolve("config.toml") + ":3: [commands.SECRET] require_state = \"gold\": there is no "
        + "[attestation.states.gold]; defined: golden, other", e.getMessage());
    e = assertThrows(ConfigException.class, () -> parse("[commands.SECRET]\nreply = \"s\"\n"
        + "require_state = \"gold\"\n[attestation]\nek_ca = \"ek-ca.pem\"\n"));
    assertEquals(dir.resolve("config.toml") + ":3: [commands.SECRET] require_state = \"gold\": there is no "
        + "[attestation.states.gold]; [attestation] defines no states", e.getMessage());
  }

  @Test
  void quoteIsBuiltInWithAttestation() throws Exception {
    Files.writeString(dir.resolve("ek-ca.pem"), pem(PKI.rootCertificate()), UTF_8);
    ConfigException e = assertThrows(ConfigException.class, () -> parse("[commands.QUOTE]\nreply = \"s\"\n"
        + "[attestation]\nek_ca = \"ek-ca.pem\"\n"));
    assertEquals(1, e.line());
    assertEquals("[commands.QUOTE]", e.key());
  }
}
