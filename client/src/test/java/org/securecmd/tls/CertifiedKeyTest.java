package org.securecmd.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link CertifiedKey#load} with keys and certificates made by the {@code openssl} CLI at test time. */
class CertifiedKeyTest {
  @TempDir static Path dir;

  private static void openssl(String... args) throws Exception {
    Openssl.run(dir, args);
  }

  @BeforeAll
  static void makeKeysAndCertificates() throws Exception {
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem");
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec-other.pem");
    openssl("ec", "-in", "ec.pem", "-out", "ec-sec1.pem");
    openssl("genrsa", "-out", "rsa.pem", "2048");
    openssl("genrsa", "-traditional", "-out", "rsa-other.pem", "2048");
    openssl("rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa-pkcs1.pem");
    openssl("genpkey", "-algorithm", "ED25519", "-out", "ed.pem");
    openssl("req", "-x509", "-new", "-key", "ed.pem", "-subj", "/CN=ed-server", "-days", "2", "-out", "ed.crt");
    openssl("req", "-x509", "-new", "-key", "ec.pem", "-subj", "/CN=ec-server", "-days", "2", "-out", "ec.crt");
    openssl("req", "-x509", "-new", "-key", "rsa.pem", "-subj", "/CN=rsa-server", "-days", "2", "-out", "rsa.crt");
  }

  @ParameterizedTest(name = "[{index}] {0} + {1}")
  @CsvSource(textBlock = """
      ec.crt,  ec.pem,        CN=ec-server
      ec.crt,  ec-sec1.pem,   CN=ec-server
      rsa.crt, rsa.pem,       CN=rsa-server
      rsa.crt, rsa-pkcs1.pem, CN=rsa-server
      ed.crt,  ed.pem,        CN=ed-server
      """)
  void matchingKeyLoads(String crt, String key, String subject) throws Exception {
    CertifiedKey ck = CertifiedKey.load(dir.resolve(crt), dir.resolve(key));
    assertEquals(subject, ck.leaf().getSubjectX500Principal().getName());
    assertEquals(1, ck.chain().size());
    assertTrue(ck.keyMatchesLeaf());
  }

  @ParameterizedTest(name = "[{index}] {0} + {1}")
  @CsvSource(textBlock = """
      ec.crt,  ec-other.pem,  CN=ec-server
      rsa.crt, rsa-other.pem, CN=rsa-server
      ec.crt,  rsa.pem,       CN=ec-server
      rsa.crt, ec.pem,        CN=rsa-server
      ed.crt,  ec.pem,        CN=ed-server
      """)
  void mismatchingKeyIsRefusedNamingBothFiles(String crt, String key, String subject) {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
        () -> CertifiedKey.load(dir.resolve(crt), dir.resolve(key)));
    assertEquals("private key " + dir.resolve(key) + " does not match the certificate " + subject + " in "
        + dir.resolve(crt), e.getMessage());
    assertTrue(e.getMessage().contains("does not match"));
  }

  @Test
  void keyFileGivenAsCertificateIsAClearError() {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
        () -> CertifiedKey.load(dir.resolve("ec.pem"), dir.resolve("ec.pem")));
    assertEquals("no CERTIFICATE block in " + dir.resolve("ec.pem"), e.getMessage());
  }

  @Test
  void missingKeyFileIsAnIoErrorNamingIt() {
    Path missing = dir.resolve("missing.key");
    java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
        () -> CertifiedKey.load(dir.resolve("ec.crt"), missing));
    assertEquals(missing.toString(), e.getMessage());
  }

  @Test
  void emptyChainAndNullKeyAreRefused() throws Exception {
    var key = Pem.readPrivateKey(dir.resolve("ec.pem"));
    assertEquals("empty certificate chain", assertThrows(IllegalArgumentException.class,
        () -> new CertifiedKey(key, java.util.List.of())).getMessage());
    var chain = Pem.readCertificates(dir.resolve("ec.crt"));
    assertEquals("privateKey == null", assertThrows(IllegalArgumentException.class,
        () -> new CertifiedKey(null, chain)).getMessage());
    assertTrue(Files.exists(dir.resolve("ec.crt")));
  }
}
