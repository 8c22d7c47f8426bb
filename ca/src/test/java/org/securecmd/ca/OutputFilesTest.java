package org.securecmd.ca;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file writes securecmd-pki and the daemon's state share: what is left on disk, with which mode. */
class OutputFilesTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void replaceLeavesTheNewContentWithItsModeAndNoTemporaryFile() throws IOException {
    Path f = dir.resolve("revoked");
    Files.writeString(f, "old\n");
    OutputFiles.writeAtomically(f, "new\n".getBytes(UTF_8), "rw-------");
    assertEquals("new\n", Files.readString(f));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    OutputFiles.writeAtomically(f, "public\n".getBytes(UTF_8));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertEquals(List.of("revoked"), names());
  }

  @Test
  void aFailedReplaceKeepsTheOldFileAndCleansUp() throws IOException {
    Path target = Files.createDirectory(dir.resolve("a-directory"));  // cannot be replaced by a file
    Files.writeString(target.resolve("inside"), "x");
    assertThrows(IOException.class, () -> OutputFiles.writeAtomically(target, "new".getBytes(UTF_8)));
    assertTrue(Files.isDirectory(target));
    assertEquals(List.of("a-directory"), names());
  }

  @Test
  void aSecretIsBornPrivateAndNeverOverwritten() throws IOException {
    Path key = dir.resolve("ca.key");
    OutputFiles.writeSecret(key, "k".getBytes(UTF_8));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    IOException e = assertThrows(IOException.class, () -> OutputFiles.writeSecret(key, "other".getBytes(UTF_8)));
    assertEquals(key + " already exists; not overwriting a private key", e.getMessage());
    assertEquals("k", Files.readString(key));
  }
}
