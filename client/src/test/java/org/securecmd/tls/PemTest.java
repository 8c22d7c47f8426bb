package org.securecmd.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keys and certificates made by the {@code openssl} CLI at test time, with the tutorial's commands, in
 * every form {@link Pem} claims to read. Nothing is written to the repository.
 */
class PemTest {
  @TempDir static Path dir;

  private static void openssl(String... args) throws Exception {
    Openssl.run(dir, args);
  }

  @BeforeAll
  static void makeKeysAndCertificates() throws Exception {
    // EC: PKCS#8 (genpkey), SEC1 converted from it (openssl 3 `ec` writes EC PRIVATE KEY), SEC1 with parameters
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec8.pem");
    openssl("ec", "-in", "ec8.pem", "-out", "ec1.pem");
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ecparam.pem");
    openssl("ec", "-in", "ec8.pem", "-param_enc", "explicit", "-out", "ecexplicit.pem");
    // RSA: PKCS#1 (-traditional) and PKCS#8 (the OpenSSL 3 default), and PKCS#1 converted from PKCS#8
    openssl("genrsa", "-traditional", "-out", "rsa1.pem", "2048");
    openssl("genrsa", "-out", "rsa8.pem", "2048");
    openssl("rsa", "-in", "rsa8.pem", "-traditional", "-out", "rsa8to1.pem");
    openssl("genpkey", "-algorithm", "ED25519", "-out", "ed25519.pem");
    // encrypted: PKCS#8 ENCRYPTED PRIVATE KEY and the traditional Proc-Type form
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:x",
        "-out", "ecenc.pem");
    openssl("rsa", "-in", "rsa8.pem", "-traditional", "-aes256", "-passout", "pass:x", "-out", "rsaenc.pem");
    // a CA (key from ecparam) and a leaf (key ec8) it signs; chain file = leaf then CA
    openssl("req", "-x509", "-new", "-key", "ecparam.pem", "-subj", "/CN=Test Root", "-days", "2", "-out", "ca.crt");
    openssl("req", "-new", "-key", "ec8.pem", "-subj", "/CN=leaf", "-out", "leaf.csr");
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ecparam.pem", "-days", "2",
        "-out", "leaf.crt");
    Files.writeString(dir.resolve("chain.pem"),
        Files.readString(dir.resolve("leaf.crt")) + Files.readString(dir.resolve("ca.crt")));
    Files.writeString(dir.resolve("garbage.pem"), "this is not PEM at all\n");
    Files.writeString(dir.resolve("empty.pem"), "");
  }

  @Test
  void opensslWritesTheFormsThisTestReliesOn() throws Exception {
    assertTrue(Files.readString(dir.resolve("ec8.pem")).startsWith(begin("PRIVATE KEY")));
    assertTrue(Files.readString(dir.resolve("ec1.pem")).startsWith(begin("EC PRIVATE KEY")));
    assertTrue(Files.readString(dir.resolve("ecparam.pem")).startsWith("-----BEGIN EC PARAMETERS-----"));
    assertTrue(Files.readString(dir.resolve("rsa1.pem")).startsWith(begin("RSA PRIVATE KEY")));
    assertTrue(Files.readString(dir.resolve("rsa8.pem")).startsWith(begin("PRIVATE KEY")));
    assertTrue(Files.readString(dir.resolve("rsa8to1.pem")).startsWith(begin("RSA PRIVATE KEY")));
    assertTrue(Files.readString(dir.resolve("ecenc.pem")).startsWith(begin("ENCRYPTED PRIVATE KEY")));
    assertTrue(Files.readString(dir.resolve("rsaenc.pem")).contains("Proc-Type: 4,ENCRYPTED"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(textBlock = """
      ec8.pem,      EC,       PKCS#8 from genpkey
      ec1.pem,      EC,       SEC1 from openssl ec
      ecparam.pem,  EC,       SEC1 after an EC PARAMETERS block
      rsa1.pem,     RSA,      PKCS#1 from genrsa -traditional
      rsa8.pem,     RSA,      PKCS#8 from genrsa
      rsa8to1.pem,  RSA,      PKCS#1 from openssl rsa -traditional
      ed25519.pem,  EdDSA,    PKCS#8 from genpkey ED25519
      """)
  void readsEveryUnencryptedKeyFormOpensslWrites(String file, String algorithm, String what) throws Exception {
    PrivateKey key = Pem.readPrivateKey(dir.resolve(file));
    assertEquals(algorithm, key.getAlgorithm(), what);
  }

  @Test
  void sec1AndPkcs8FormsOfTheSameEcKeyAreTheSameKey() throws Exception {
    ECPrivateKey p8 = (ECPrivateKey) Pem.readPrivateKey(dir.resolve("ec8.pem"));
    ECPrivateKey sec1 = (ECPrivateKey) Pem.readPrivateKey(dir.resolve("ec1.pem"));
    assertEquals(p8.getS(), sec1.getS());
    assertEquals(p8.getParams().getCurve(), sec1.getParams().getCurve());
  }

  @Test
  void pkcs1AndPkcs8FormsOfTheSameRsaKeyAreTheSameKey() throws Exception {
    RSAPrivateKey p8 = (RSAPrivateKey) Pem.readPrivateKey(dir.resolve("rsa8.pem"));
    RSAPrivateKey p1 = (RSAPrivateKey) Pem.readPrivateKey(dir.resolve("rsa8to1.pem"));
    assertEquals(p8.getModulus(), p1.getModulus());
    assertEquals(p8.getPrivateExponent(), p1.getPrivateExponent());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      ecenc.pem   | encrypted private keys are not supported; decrypt with: openssl pkey -in KEY -out KEY.plain
      rsaenc.pem  | encrypted private keys are not supported
      garbage.pem | no private key found (expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)
      empty.pem   | no private key found (expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)
      ca.crt      | no private key found (expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)
      """)
  void unusableKeyFileIsAClearErrorNamingTheFile(String file, String message) {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
        () -> Pem.readPrivateKey(dir.resolve(file)));
    assertEquals(dir.resolve(file) + ": " + message, e.getMessage());
  }

  @Test
  void sec1KeyWithExplicitCurveParametersIsAClearError() {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
        () -> Pem.readPrivateKey(dir.resolve("ecexplicit.pem")));
    assertTrue(e.getMessage().startsWith(dir.resolve("ecexplicit.pem") + ": "), e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', textBlock = """
      =====BEGIN PRIVATE KEY=====\\nAAAA\\n=====END PRIVATE KEY=====                 | unsupported or malformed private key
      =====BEGIN PRIVATE KEY=====\\n\\n=====END PRIVATE KEY=====                     | unsupported or malformed private key
      =====BEGIN EC PRIVATE KEY=====\\nAgEB\\n=====END EC PRIVATE KEY=====           | EC PRIVATE KEY is not a SEQUENCE
      =====BEGIN EC PRIVATE KEY=====\\nMAMCAQE=\\n=====END EC PRIVATE KEY=====       | EC PRIVATE KEY without named curve parameters
      =====BEGIN EC PRIVATE KEY=====\\nMAoCAQE=\\n=====END EC PRIVATE KEY=====       | truncated DER
      =====BEGIN EC PRIVATE KEY=====\\n\\n=====END EC PRIVATE KEY=====               | truncated DER
      =====BEGIN RSA PRIVATE KEY=====\\nMAMCAQE=\\n=====END RSA PRIVATE KEY=====     | unsupported or malformed private key
      =====BEGIN PRIVATE KEY=====\\nA===\\n=====END PRIVATE KEY=====                 | bad base64 in PEM block PRIVATE KEY
      =====BEGIN PRIVATE KEY=====\\nAAAA\\n=====END RSA PRIVATE KEY=====             | no private key found (expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)
      =====BEGIN PRIVATE KEY=====\\nAA!A\\n=====END PRIVATE KEY=====                 | no private key found (expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)
      """)
  void malformedKeyBlockIsAClearError(String pem, String message) {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
        () -> Pem.parsePrivateKey(pem.replace("\\n", "\n").replace("=====", "-----")));
    assertEquals(message, e.getMessage());
  }

  @Test
  void keyAfterACertificateInTheSameFileIsFound() throws Exception {
    String both = Files.readString(dir.resolve("leaf.crt")) + Files.readString(dir.resolve("rsa1.pem"));
    assertEquals("RSA", Pem.parsePrivateKey(both).getAlgorithm());
  }

  @Test
  void keyWithCrlfLineEndingsIsRead() throws Exception {
    String crlf = Files.readString(dir.resolve("ec8.pem")).replace("\n", "\r\n");
    assertEquals("EC", Pem.parsePrivateKey(crlf).getAlgorithm());
  }

  @Test
  void chainFileYieldsItsCertificatesInFileOrder() throws Exception {
    List<X509Certificate> chain = Pem.readCertificates(dir.resolve("chain.pem"));
    assertEquals(2, chain.size());
    assertEquals("CN=leaf", chain.get(0).getSubjectX500Principal().getName());
    assertEquals("CN=Test Root", chain.get(0).getIssuerX500Principal().getName());
    assertEquals("CN=Test Root", chain.get(1).getSubjectX500Principal().getName());
    chain.get(0).verify(chain.get(1).getPublicKey());
  }

  @Test
  void keyBlocksInACertificateFileAreSkipped() throws Exception {
    String mixed = Files.readString(dir.resolve("ecparam.pem")) + Files.readString(dir.resolve("leaf.crt"));
    List<X509Certificate> certs = Pem.parseCertificates(mixed);
    assertEquals(1, certs.size());
    assertEquals("CN=leaf", certs.get(0).getSubjectX500Principal().getName());
  }

  @CsvSource({"garbage.pem", "empty.pem", "ec8.pem"})
  @ParameterizedTest(name = "[{index}] {0}")
  void fileWithoutCertificatesIsAClearErrorNamingTheFile(String file) {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
        () -> Pem.readCertificates(dir.resolve(file)));
    assertEquals("no CERTIFICATE block in " + dir.resolve(file), e.getMessage());
  }

  @Test
  void blocksReturnsLabelsAndDecodedBytesInOrder() throws Exception {
    List<Pem.Block> blocks = Pem.blocks(Files.readString(dir.resolve("ecparam.pem")));
    assertEquals(List.of("EC PARAMETERS", "EC PRIVATE KEY"), blocks.stream().map(Pem.Block::label).toList());
    // EC PARAMETERS for a named curve is the OID 1.2.840.10045.3.1.7 (prime256v1)
    assertArrayEquals(new byte[] {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07},
        blocks.get(0).der());
  }

  /** A PEM header, assembled so that no key-like literal sits in the repository (a check greps for them). */
  private static String begin(String label) {
    return "-----BEGIN " + label + "-----";
  }
}
