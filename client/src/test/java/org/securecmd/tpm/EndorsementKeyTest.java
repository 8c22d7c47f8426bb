package org.securecmd.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EK certificates and EKs of a real swtpm manufactured by swtpm_setup with a CA of the test's own. */
class EndorsementKeyTest {
  @TempDir static Path dir;
  private static Swtpm swtpm;

  @BeforeAll
  static void start() throws Exception {
    swtpm = Swtpm.start(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (swtpm != null) swtpm.close();
  }

  @Test
  void getRandomReturnsTheBytesAskedFor() throws Exception {
    try (Tpm tpm = swtpm.open()) {
      byte[] a = tpm.getRandom(48); // more than one TPM2_GetRandom answer holds
      byte[] b = tpm.getRandom(48);
      assertEquals(48, a.length);
      assertTrue(!java.util.Arrays.equals(a, b), "two random reads were equal");
    }
  }

  @Test
  void rsaEkCertificateIsX509OfThePersistedEkAndSignedByTheManufacturer() throws Exception {
    checkCertificate(EndorsementKeyType.RSA_2048, "RSA");
  }

  @Test
  void eccP384EkCertificateIsX509OfThePersistedEkAndSignedByTheManufacturer() throws Exception {
    checkCertificate(EndorsementKeyType.ECC_P384, "EC");
  }

  private void checkCertificate(EndorsementKeyType type, String algorithm) throws Exception {
    try (Tpm tpm = swtpm.open()) {
      byte[] der = tpm.endorsementCertificate(type);
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      assertArrayEquals(der, cert.getEncoded(), "NV content is exactly the DER, no padding");
      LoadedKey ek = tpm.endorsementKey(type);
      assertEquals(type.persistentHandle(), ek.handle(), "swtpm_setup persisted the EK");
      assertEquals(algorithm, cert.getPublicKey().getAlgorithm());
      assertArrayEquals(cert.getPublicKey().getEncoded(), ek.publicArea().publicKey().getEncoded(),
          "certificate key = EK public area key");
      cert.verify(swtpm.ekIssuer().getPublicKey());
      assertTrue(cert.getExtendedKeyUsage().contains("2.23.133.8.1"), "EK certificate EKU");
    }
  }

  @Test
  void rsaEkTemplateRecreatesThePersistedEk() throws Exception {
    recreates(EndorsementKeyType.RSA_2048);
  }

  @Test
  void eccP384EkTemplateRecreatesThePersistedEk() throws Exception {
    recreates(EndorsementKeyType.ECC_P384);
  }

  /** The same template in the same hierarchy gives the same key: the templates are those swtpm_setup used. */
  private void recreates(EndorsementKeyType type) throws Exception {
    try (Tpm tpm = swtpm.open()) {
      LoadedKey created = tpm.createPrimary(Handles.RH_ENDORSEMENT, type.template());
      try {
        assertTrue(created.isTransient());
        assertEquals(tpm.readPublic(type.persistentHandle()), created.publicArea());
      } finally {
        tpm.flushContext(created.handle());
      }
    }
  }

  @Test
  void publicAreaAndNameAreThoseTpm2ToolsReads() throws Exception {
    Path pub = dir.resolve("ek-tools.pub");
    Path name = dir.resolve("ek-tools.name");
    swtpm.tool("tpm2_readpublic", "-c", "0x81010016", "-o", pub.toString(), "-n", name.toString());
    try (Tpm tpm = swtpm.open()) {
      TpmPublic ek = tpm.readPublic(EndorsementKeyType.ECC_P384.persistentHandle());
      assertArrayEquals(java.nio.file.Files.readAllBytes(pub), ek.marshalled(), "TPM2B_PUBLIC, as in .pub files");
      assertArrayEquals(java.nio.file.Files.readAllBytes(name), ek.name(), "Name with the EK's SHA-384 nameAlg");
      assertEquals(50, ek.name().length);
    }
  }

  @Test
  void eccP256EkIsCreatedFromItsTemplateWhenNotPersisted() throws Exception {
    try (Tpm tpm = swtpm.open()) {
      LoadedKey ek = tpm.endorsementKey(EndorsementKeyType.ECC_P256);
      try {
        assertTrue(ek.isTransient(), "swtpm persists no P-256 EK, so it is created: " + Handles.hex(ek.handle()));
        assertEquals(Alg.NIST_P256, ek.publicArea().curve());
        assertEquals("EC", ek.publicArea().publicKey().getAlgorithm());
      } finally {
        tpm.flushContext(ek.handle());
      }
    }
  }

  @Test
  void readingAMissingNvIndexNamesCommandAndResponseCode() throws Exception {
    try (Tpm tpm = swtpm.open()) {
      TpmException e = org.junit.jupiter.api.Assertions.assertThrows(TpmException.class,
          () -> tpm.endorsementCertificate(EndorsementKeyType.ECC_P256));
      assertEquals("TPM2_NV_ReadPublic 0x01c0000a", e.command());
      assertEquals(ResponseCodes.HANDLE, e.baseCode());
      assertTrue(e.getMessage().startsWith("TPM2_NV_ReadPublic 0x01c0000a failed: TPM_RC 0x18b ("), e.getMessage());
    }
  }
}
