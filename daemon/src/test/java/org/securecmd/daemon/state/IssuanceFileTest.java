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
  void aFirstUseIsRecordedOnceAndSurvivesReopening() throws Exception {
    Path file = dir.resolve("issued");
    IssuanceFile log = new IssuanceFile(file);
    log.append(issuance("a1", false));
    log.append(issuance("a2", true));
    Instant used = Instant.parse("2026-12-02T00:00:00Z");
    log.markUsed("a2", used);
    log.markUsed("a2", used.plusSeconds(60)); // the first use stays the first
    log.markUsed("ff", used); // unknown: nothing written
    List<Issuance> expected = List.of(issuance("a1", false), issuance("a2", true).withFirstUse(used));
    assertEquals(expected, log.all());
    assertEquals(expected, new IssuanceFile(file).all());
    assertEquals(3, Files.readAllLines(file).size(), "one line per certificate and one for the first use");
    assertEquals(List.of(issuance("a1", false), issuance("a2", true).withFirstUse(used)), log.successorsOf("1f"));
  }

  @Test
  void theCountRuleRefusesTheIssuanceBeyondMaxWithTheOldestOfTheWindow() throws Exception {
    IssuanceFile log = new IssuanceFile(dir.resolve("issued"));
    Instant t = Instant.parse("2026-12-01T00:00:00Z");
    IssuanceLog.Rules rules = new IssuanceLog.Rules(Instant.MAX, t.minusSeconds(1), 2);
    for (int i = 0; i < 2; i++) {
      assertEquals(java.util.Optional.empty(), log.append(new Issuance("c" + i, "dev-1", "CN=dev-1", t, "1f",
          t.plusSeconds(i), String.valueOf(i).repeat(64), true), rules));
    }
    Issuance third = new Issuance("c2", "dev-1", "CN=dev-1", t, "1f", t.plusSeconds(2), "2".repeat(64), true);
    var refused = log.append(third, rules);
    assertTrue(refused.isPresent() && !refused.get().sameKey(), refused.toString());
    assertEquals("c0", refused.get().earlier().serial());
    assertEquals(2, log.all().size(), "nothing recorded");
    Issuance otherDevice = new Issuance("d0", "dev-2", "CN=dev-2", t, "2f", t.plusSeconds(2), "2".repeat(64), true);
    assertEquals(java.util.Optional.empty(), log.append(otherDevice, rules), "per identity");
  }

  @Test
  void fieldsWithControlCharactersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Issuance("a1", "dev\n1", "CN=x", Instant.now(), "1f",
        Instant.now(), "ab", false));
  }
}
