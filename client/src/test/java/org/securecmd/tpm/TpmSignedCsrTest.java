package org.securecmd.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.TpmEnrollment;
import org.securecmd.tls.CertificationRequest;

/**
 * The device side of enrollment on a real swtpm, without a server: a CSR signed inside the TPM (TPM2_Sign)
 * that openssl verifies, and what {@link TpmEnrollment#prepare} leaves in the TPM.
 */
class TpmSignedCsrTest {
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
  void aCsrSignedByTheTpmKeyVerifiesWithOpensslAndCarriesThatKey() throws Exception {
    byte[] csr;
    LoadedKey tls;
    try (Tpm tpm = swtpm.open()) {
      LoadedKey srk = tpm.storageRootKey();
      tls = tpm.load(srk, tpm.create(srk, KeyTemplate.tlsKey()));
      LoadedKey key = tls;
      csr = CertificationRequest.der(tls.publicArea().publicKey(), "dev-1", tbs -> {
        try {
          TpmSignature s = tpm.sign(key, MessageDigest.getInstance("SHA-256").digest(tbs));
          return CertificationRequest.ecdsaDer(s.r(), s.s());
        } catch (TpmException e) {
          throw new GeneralSecurityException(e);
        }
      });
      tpm.flushContext(tls.handle());
      if (srk.isTransient()) tpm.flushContext(srk.handle());
    }
    Path file = Files.write(dir.resolve("tpm.csr"), csr);
    String verified = Swtpm.run(dir, List.of("openssl", "req", "-inform", "DER", "-in", file.toString(), "-verify",
        "-noout", "-pubkey"), java.util.Map.of(), 30);
    assertTrue(verified.contains("verify OK"), verified);
    String pem = Swtpm.run(dir, List.of("openssl", "req", "-inform", "DER", "-in", file.toString(), "-noout",
        "-subject"), java.util.Map.of(), 30);
    assertTrue(pem.contains("CN = dev-1") || pem.contains("CN=dev-1"), pem);
    assertTrue(verified.contains(java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(tls.publicArea().publicKey().getEncoded()).lines().findFirst().orElseThrow()), verified);
  }

  @Test
  void prepareMakesTheKeysInTheTpmAndPersistsTheStorageRootKeyForTpm2Pkcs11() throws Exception {
    try (TpmEnrollment e = TpmEnrollment.prepare(swtpm.spec().toString(), TpmEnrollment.EkChoice.AUTO)) {
      assertEquals("RSA_2048", e.endorsementKey(), "RSA when its certificate is there");
      TpmPublic key = TpmPublic.parse(e.tlsKeyPublic());
      assertEquals(0x00040072, key.attributes(), "fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, sign");
      assertTrue(e.tlsKeyPrivate().length > 2, "a TPM2B_PRIVATE for tpm2_ptool link");
    }
    try (Tpm tpm = swtpm.open()) {
      TpmPublic srk = tpm.readPublic(Handles.SRK_PERSISTENT);
      assertTrue(srk.has(TpmPublic.RESTRICTED | TpmPublic.DECRYPT), "the SRK persisted at 0x81000001");
    }
    try (TpmEnrollment e = TpmEnrollment.prepare(swtpm.spec().toString(), TpmEnrollment.EkChoice.ECC)) {
      assertEquals("ECC_P384", e.endorsementKey(), "swtpm's ECC EK certificate is the P-384 one");
    }
  }

  @Test
  void aTpmThatIsNotThereIsOneClearError() {
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
        () -> TpmEnrollment.prepare("device:/nonexistent/tpmrm0", TpmEnrollment.EkChoice.AUTO));
    assertTrue(e.getMessage().contains("/nonexistent/tpmrm0"), e.getMessage());
  }
}
