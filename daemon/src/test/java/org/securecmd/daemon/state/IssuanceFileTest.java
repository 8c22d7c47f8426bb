package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IssuanceFileTest {
  @TempDir Path dir;

  private static Issuance issuance(String serial, boolean rekey) {
    return new Issuance(serial, "dev-1", "CN=dev-1", Instant.parse("2027-01-01T00:00:00Z"), "1f",
        Instant.parse("2026-12-01T00:00:00Z"), "ab".repeat(32), rekey);
  }

  @Test
  void recordsSurviveReopeningInOrder() throws Exception {
    Path file = dir.resolve("issued");
    IssuanceFile log = new IssuanceFile(file);
    log.append(issuance("a1", false));
    log.append(issuance("a2", true));
    assertEquals(List.of(issuance("a1", false), issuance("a2", true)), new IssuanceFile(file).all());
    assertEquals(List.of(issuance("a1", false), issuance("a2", true)), log.forIdentity("dev-1"));
    assertEquals(List.of(), log.forIdentity("dev-2"));
  }

  @Test
  void aTornLastLineFromACrashIsSkippedAndTheNextAppendStartsAFreshLine() throws Exception {
    Path file = dir.resolve("issued");
    new IssuanceFile(file).append(issuance("a1", false));
    Files.writeString(file, "b2\tdev-1\tCN=de", StandardOpenOption.APPEND); // crash mid-write
    IssuanceFile reopened = new IssuanceFile(file);
    assertEquals(List.of(issuance("a1", false)), reopened.all());
    reopened.append(issuance("a3", false));
    assertEquals(List.of(issuance("a1", false), issuance("a3", false)), new IssuanceFile(file).all());
  }

  @Test
  void aCorruptLineInTheMiddleIsAnErrorNamingTheLine() throws Exception {
    Path file = dir.resolve("issued");
    Files.writeString(file, "garbage\n");
    new IssuanceFile(file).append(issuance("a1", false));
    IOException e = assertThrows(IOException.class, () -> new IssuanceFile(file).all());
    assertTrue(e.getMessage().contains(file + ":1:"), e.getMessage());
  }

  @Test
  void fieldsWithControlCharactersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Issuance("a1", "dev\n1", "CN=x", Instant.now(), "1f",
        Instant.now(), "ab", false));
  }
}
