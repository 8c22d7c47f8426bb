package org.securecmd.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AK (under the RSA EK) certifies a TLS key made under the storage primary, with a server's nonce,
 * and quotes PCRs; both verify with the JDK against the AK's public area, as the server will check them.
 */
class CertifyAndQuoteTest {
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
  void certifyOfTlsKeyCarriesNonceAndVerifiesWithAk() throws Exception {
    try (Tpm tpm = swtpm.open()) {
      LoadedKey ek = tpm.endorsementKey(EndorsementKeyType.RSA_2048);
      LoadedKey ak = tpm.load(ek, tpm.create(ek, KeyTemplate.attestationKey()));
      LoadedKey srk = tpm.storageRootKey();
      assertTrue(srk.isTransient(), "nothing persisted at 0x81000001 in a fresh swtpm: created");
      LoadedKey tls = null;
      try {
        CreatedKey created = tpm.create(srk, KeyTemplate.tlsKey());
        assertEquals(0x00040072, created.publicArea().attributes());
        assertEquals(Alg.NULL, created.publicArea().schemeAlg());
        tls = tpm.load(srk, created);
        byte[] nonce = tpm.getRandom(32);

        Attestation a = tpm.certify(tls, ak, nonce);

        AttestationInfo info = a.info();
        assertEquals(AttestationInfo.TYPE_CERTIFY, info.type());
        assertArrayEquals(nonce, info.extraData());
        assertArrayEquals(created.publicArea().name(), info.certifiedName());
        assertArrayEquals(qualifiedName(ek.publicArea(), ak.publicArea()), info.qualifiedSigner(),
            "qualifiedSigner ties the AK to the EK");
        assertTrue(a.signature().verify(ak.publicArea().publicKey(), a.attest()), "signature by the AK");
        byte[] other = a.attest();
        other[other.length - 1] ^= 1;
        assertFalse(a.signature().verify(ak.publicArea().publicKey(), other), "a changed TPMS_ATTEST fails");
      } finally {
        if (tls != null) tpm.flushContext(tls.handle());
        tpm.flushContext(srk.handle());
        tpm.flushContext(ak.handle());
      }
    }
  }

  @Test
  void quoteOverPcrs027DigestsThePcrReadValuesAndVerifiesWithPersistedAk() throws Exception {
    // before this test's connection: swtpm serves one client at a time
    swtpm.tool("tpm2_pcrextend", "7:sha256=" + "ab".repeat(32));
    try (Tpm tpm = swtpm.open()) {
      LoadedKey ek = tpm.endorsementKey(EndorsementKeyType.RSA_2048);
      LoadedKey transientAk = tpm.load(ek, tpm.create(ek, KeyTemplate.attestationKey()));
      LoadedKey ak = tpm.persist(transientAk, Handles.AK_PERSISTENT);
      tpm.flushContext(transientAk.handle());
      try {
        assertEquals(ak, tpm.persistentKey(Handles.AK_PERSISTENT), "a later run finds the AK there");
        PcrSelection pcrs = PcrSelection.sha256(7, 0, 2);
        byte[] nonce = tpm.getRandom(32);

        Attestation q = tpm.quote(ak, nonce, pcrs);
        PcrValues values = tpm.pcrRead(pcrs);

        AttestationInfo info = q.info();
        assertEquals(AttestationInfo.TYPE_QUOTE, info.type());
        assertArrayEquals(nonce, info.extraData());
        assertEquals(pcrs, info.pcrSelection().orElseThrow());
        assertEquals(List.of(0, 2, 7), values.selection().indices());
        assertFalse(java.util.Arrays.equals(new byte[32], values.value(7)), "PCR 7 was extended");
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(values.concatenated()), info.pcrDigest());
        assertTrue(q.signature().verify(ak.publicArea().publicKey(), q.attest()));
      } finally {
        tpm.evict(Handles.AK_PERSISTENT);
      }
      TpmException gone = assertThrows(TpmException.class, () -> tpm.readPublic(Handles.AK_PERSISTENT));
      assertEquals(ResponseCodes.HANDLE, gone.baseCode());
    }
  }

  @Test
  void persistedStorageRootKeyIsFoundAndKeysMadeUnderItLoadAfterReconnecting() throws Exception {
    CreatedKey tlsKey;
    try (Tpm tpm = swtpm.open()) {
      LoadedKey created = tpm.storageRootKey();
      tpm.persist(created, Handles.SRK_PERSISTENT);
      tpm.flushContext(created.handle());
      tlsKey = tpm.create(tpm.storageRootKey(), KeyTemplate.tlsKey());
    }
    try (Tpm tpm = swtpm.open()) {
      LoadedKey srk = tpm.storageRootKey();
      try {
        assertEquals(Handles.SRK_PERSISTENT, srk.handle());
        LoadedKey tls = tpm.load(srk, tlsKey);
        tpm.flushContext(tls.handle());
      } finally {
        tpm.evict(Handles.SRK_PERSISTENT);
      }
    }
  }

  @Test
  void pcrReadOfMoreThanEightPcrsReadsThemAll() throws Exception {
    try (Tpm tpm = swtpm.open()) {
      PcrValues all = tpm.pcrRead(PcrSelection.sha256(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 23));
      assertEquals(18, all.values().size());
      for (byte[] v : all.values()) assertEquals(32, v.length);
    }
  }

  @Test
  void objectMemoryExhaustionNamesTheCommandAndTheMeaning() throws Exception {
    try (Tpm tpm = swtpm.open()) {
      List<Integer> loaded = new java.util.ArrayList<>();
      try {
        TpmException e = assertThrows(TpmException.class, () -> {
          for (int i = 0; i < 10; i++) {
            loaded.add(tpm.createPrimary(Handles.RH_OWNER, KeyTemplate.storageRootKey()).handle());
          }
        });
        assertEquals(ResponseCodes.OBJECT_MEMORY, e.responseCode());
        assertEquals("TPM2_CreatePrimary SRK ECC P-256 failed: TPM_RC 0x902 "
            + "(out of memory for object contexts (flush transient objects))", e.getMessage());
      } finally {
        for (int h : loaded) tpm.flushContext(h);
      }
    }
  }

  @Test
  void flushingAnUnknownHandleFailsWithTheHandleError() throws Exception {
    try (Tpm tpm = swtpm.open()) {
      TpmException e = assertThrows(TpmException.class, () -> tpm.flushContext(0x80ffff00));
      assertEquals("TPM2_FlushContext 0x80ffff00", e.command());
      assertTrue(e.getMessage().contains("TPM_RC 0x"), e.getMessage());
      assertTrue(e.responseCode() != 0);
    }
  }

  /** QN(AK) = nameAlg || H(QN(EK) || Name(AK)), QN(EK) = nameAlg || H(handle of the endorsement hierarchy || Name(EK)). */
  private static byte[] qualifiedName(TpmPublic ek, TpmPublic ak) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(new byte[] {0x40, 0, 0, 0x0b});
    byte[] qnEk = concat(new byte[] {0, 0x0b}, sha.digest(ek.name()));
    sha.update(qnEk);
    return concat(new byte[] {0, 0x0b}, sha.digest(ak.name()));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
