package org.securecmd.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An AK made under the EK activates a credential that tpm2-tools' {@code tpm2_makecredential} made offline
 * from the EK public area this layer read (as a server would from the ENROLL line), for an RSA and an ECC EK.
 */
class CredentialActivationTest {
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
  void akUnderRsaEkActivatesCredentialMadeForItsName() throws Exception {
    activates(EndorsementKeyType.RSA_2048);
  }

  @Test
  void akUnderEccP384EkActivatesCredentialMadeForItsName() throws Exception {
    activates(EndorsementKeyType.ECC_P384);
  }

  private void activates(EndorsementKeyType type) throws Exception {
    try (Tpm tpm = swtpm.open()) {
      LoadedKey ek = tpm.endorsementKey(type);
      LoadedKey ak = tpm.load(ek, tpm.create(ek, KeyTemplate.attestationKey()));
      try {
        assertEquals(0x00050072, ak.publicArea().attributes());
        byte[] secret = tpm.getRandom(32);
        Credential cred = makeCredential(type.name(), ek.publicArea(), ak.publicArea().name(), secret);
        assertArrayEquals(secret, tpm.activateCredential(ak, ek, cred.idObject, cred.encryptedSecret));
      } finally {
        tpm.flushContext(ak.handle());
        if (ek.isTransient()) tpm.flushContext(ek.handle());
      }
    }
  }

  @Test
  void akUnderEccP256EkCreatedFromItsTemplateActivatesCredential() throws Exception {
    activates(EndorsementKeyType.ECC_P256); // the low-range ECC EK: policy session, as for the RSA EK
  }

  @Test
  void credentialMadeForAnotherNameFailsWithIntegrityError() throws Exception {
    try (Tpm tpm = swtpm.open()) {
      LoadedKey ek = tpm.endorsementKey(EndorsementKeyType.RSA_2048);
      LoadedKey ak = tpm.load(ek, tpm.create(ek, KeyTemplate.attestationKey()));
      try {
        byte[] otherName = ak.publicArea().name();
        otherName[5] ^= 1;
        Credential cred = makeCredential("other", ek.publicArea(), otherName, new byte[32]);
        TpmException e = assertThrows(TpmException.class,
            () -> tpm.activateCredential(ak, ek, cred.idObject, cred.encryptedSecret));
        assertEquals("TPM2_ActivateCredential", e.command());
        assertEquals(ResponseCodes.INTEGRITY, e.baseCode());
        assertEquals("TPM2_ActivateCredential failed: TPM_RC 0x1df (integrity check failed, parameter 1)",
            e.getMessage());
        // the failed command's policy session was flushed: the right credential still activates
        byte[] secret = tpm.getRandom(32);
        Credential right = makeCredential("right", ek.publicArea(), ak.publicArea().name(), secret);
        assertArrayEquals(secret, tpm.activateCredential(ak, ek, right.idObject, right.encryptedSecret));
      } finally {
        tpm.flushContext(ak.handle());
      }
    }
  }

  private record Credential(byte[] idObject, byte[] encryptedSecret) {}

  /** tpm2_makecredential offline; its file is BADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET. */
  private static Credential makeCredential(String label, TpmPublic ek, byte[] akName, byte[] secret) throws Exception {
    Path ekPub = Files.write(dir.resolve(label + "-ek.pub"), ek.marshalled());
    Path secretFile = Files.write(dir.resolve(label + "-secret"), secret);
    Path out = dir.resolve(label + "-cred.out");
    Swtpm.run(dir, List.of("tpm2_makecredential", "-T", "none", "-u", ekPub.toString(), "-s", secretFile.toString(),
        "-n", HexFormat.of().formatHex(akName), "-o", out.toString()), java.util.Map.of(), 30);
    TpmReader r = new TpmReader(Files.readAllBytes(out), "credential file");
    assertEquals(0xbadcc0de, r.u32(), "magic");
    assertEquals(1, r.u32(), "version");
    Credential c = new Credential(r.tpm2bWithSize(), r.tpm2bWithSize());
    r.end();
    assertTrue(c.idObject.length > 2 && c.encryptedSecret.length > 2);
    return c;
  }
}
