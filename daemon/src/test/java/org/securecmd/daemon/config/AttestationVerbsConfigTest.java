package org.securecmd.daemon.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.tls.TestPki;

/**
 * The verbs [attestation] builds in (a configured command of their name is an error naming both tables, and
 * keeps working without [attestation]) and {@code [commands.NAME] require_attested_key}.
 */
class AttestationVerbsConfigTest {
  private static final TestPki PKI = new TestPki("EK Root");
  private static final String ENROLLMENT = "[enrollment]\nca_certificate = \"c.pem\"\nca_key = \"k.pem\"\n";
  private static final String ATTESTATION = "[attestation]\nek_ca = \"ek-ca.pem\"\n";

  @TempDir
  Path dir;

  @BeforeEach
  void bundle() throws Exception {
    Files.writeString(dir.resolve("ek-ca.pem"), TestPki.pem("CERTIFICATE", PKI.rootCertificate().getEncoded()), UTF_8);
  }

  private Config parse(String text) throws ConfigException {
    return ConfigLoader.parse(dir.resolve("config.toml"), text);
  }

  @Test
  void aCommandNamedLikeAnAttestationVerbIsRefusedNamingBothTables() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> parse(ENROLLMENT + ATTESTATION + "[commands.ENROLL]\nreply = \"x\"\n"));
    assertEquals(dir.resolve("config.toml") + ":6: [commands.ENROLL] is built in while [attestation] is configured "
        + "(line 4): TPM-attested enrollment answers ENROLL itself; rename the command or remove [attestation]",
        e.getMessage());
    ConfigException nonce = assertThrows(ConfigException.class,
        () -> parse(ATTESTATION + "[commands.NONCE]\nreply = \"x\"\n" + ENROLLMENT));
    assertTrue(nonce.getMessage().contains("[commands.NONCE] is built in while [attestation] is configured (line 1)"),
        nonce.getMessage());
  }

  @Test
  void withoutAttestationSuchACommandKeepsWorking() throws Exception {
    Config c = parse("[commands.ENROLL]\nreply = \"legacy\"\n[commands.NONCE]\nreply = \"n\"\n");
    assertEquals(new ReplySource.Static("legacy"), c.commands().get("ENROLL").reply());
    assertTrue(c.commands().containsKey("NONCE"));
  }

  @Test
  void requireAttestedKeyIsReadAndOffByDefault() throws Exception {
    Config c = parse("[commands.A]\nreply = \"a\"\nrequire_attested_key = true\n[commands.B]\nreply = \"b\"\n");
    assertTrue(c.commands().get("A").requireAttestedKey());
    assertFalse(c.commands().get("B").requireAttestedKey());
    ConfigException e = assertThrows(ConfigException.class,
        () -> parse("[commands.A]\nreply = \"a\"\nrequire_attested_key = \"yes\"\n"));
    assertEquals(dir.resolve("config.toml") + ":3: [commands.A] require_attested_key = \"yes\": expected true or false",
        e.getMessage());
  }
}
