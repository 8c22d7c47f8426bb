package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.TestPki;

/** A crash at any step of an install leaves a key and certificate that belong together. */
class FileInstallTest {
  @TempDir Path dir;
  private final TestPki pki = new TestPki("Install");

  private static final class Crash extends IOException {
    Crash(String step) {
      super("crash before " + step);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"write-new", "backup", "rename-key", "rename-certificate"})
  void rekeyInterruptedAtAnyStepLeavesAMatchingPair(String crashAt) throws Exception {
    TestPki.Issued old = pki.issue(TestPki.spec("dev-1").clientAuth());
    TestPki.Issued next = pki.issue(TestPki.spec("dev-1").clientAuth());
    Path[] files = old.write(dir, "client");
    Path cert = files[0];
    Path key = files[1];
    FileInstall crashing = new FileInstall(cert, key, step -> {
      if (step.equals(crashAt)) throw new Crash(step);
    });
    assertThrows(Crash.class, () -> crashing.install(next.chain(), next.keyPair().getPrivate()));
    new FileInstall(cert, key, FileInstall.Step.NONE).recover();
    CertifiedKey pair = CertifiedKey.load(cert, key); // throws when they do not match
    assertTrue(List.of(old.certificate(), next.certificate()).contains(pair.leaf()), "old or new, nothing else");
    assertFalse(Files.exists(FileInstall.sibling(cert, ".new")), "recover leaves no .new file");
    assertFalse(Files.exists(FileInstall.sibling(key, ".new")));
    if (crashAt.equals("rename-certificate")) assertEquals(next.certificate(), pair.leaf(), "finished by recover");
  }

  @Test
  void completedRekeyKeepsOldFilesAndWritesTheKeyPrivate() throws Exception {
    TestPki.Issued old = pki.issue(TestPki.spec("dev-1").clientAuth());
    TestPki.Issued next = pki.issue(TestPki.spec("dev-1").clientAuth());
    Path[] files = old.write(dir, "client");
    new FileInstall(files[0], files[1], FileInstall.Step.NONE).install(next.chain(), next.keyPair().getPrivate());
    assertEquals(next.certificate(), CertifiedKey.load(files[0], files[1]).leaf());
    assertEquals(old.certificate(), CertifiedKey.load(FileInstall.sibling(files[0], ".old"),
        FileInstall.sibling(files[1], ".old")).leaf());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files[1])));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(FileInstall.sibling(files[1], ".old"))));
  }

  @Test
  void renewWithTheSameKeyReplacesOnlyTheCertificate() throws Exception {
    TestPki.Issued old = pki.issue(TestPki.spec("dev-1").clientAuth());
    Path[] files = old.write(dir, "client");
    byte[] keyBefore = Files.readAllBytes(files[1]);
    TestPki.Issued sameKey = new TestPki.Issued(old.keyPair(), old.chain());
    new FileInstall(files[0], files[1], FileInstall.Step.NONE).install(sameKey.chain(), null);
    assertTrue(java.util.Arrays.equals(keyBefore, Files.readAllBytes(files[1])));
    assertFalse(Files.exists(FileInstall.sibling(files[1], ".old")), "the key did not change, so no key.old");
    assertTrue(Files.exists(FileInstall.sibling(files[0], ".old")));
  }
}
