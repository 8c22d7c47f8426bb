package org.securecmd.daemon.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file backend's registry: the contract, plus its files on disk. */
class RegistryFileTest extends EnrollmentRegistryContract {
  @TempDir Path base;
  private Path dir;

  @Override
  void newRegistry() throws IOException {
    dir = Files.createTempDirectory(base, "state");
  }

  @Override
  EnrollmentRegistry host(String name) {
    return new RegistryFile(dir); // one host: each instance reads what the others saved
  }

  @Test
  void theFilesAreWrittenForTheDaemonOnlyAndReadBackAfterARestart() throws Exception {
    newRegistry();
    new RegistryFile(dir).register(registration("dev-1", EK_A));
    Path file = dir.resolve(RegistryFile.REGISTERED);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(Files.readString(file, UTF_8).contains("dev-1\t" + EK_A + "\t2026-12-07T04:00:00Z\troot@host-a\n"));
    assertEquals(1, new RegistryFile(dir).counts().registered());
  }

  @Test
  void aCorruptFileIsReportedWithItsLineAndNeverDiscarded() throws Exception {
    newRegistry();
    Path file = dir.resolve(RegistryFile.REGISTERED);
    Files.writeString(file, "# header\ndev-1\tnot-hex\t2026-12-07T04:00:00Z\t\n", UTF_8);
    IOException e = assertThrows(IOException.class, () -> new RegistryFile(dir).registrations());
    assertEquals(file + ":2: not a record (not an EK identity (64 lower-case hex): not-hex); the file is corrupt"
        + " (fix or remove it by hand)", e.getMessage());
    assertTrue(Files.readString(file).contains("not-hex"));
  }
}
