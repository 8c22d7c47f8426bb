package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DenyListFileTest {
  @TempDir Path dir;

  @Test
  void missingFileIsAnEmptyList() throws IOException {
    assertEquals(DenyList.EMPTY, new DenyListFile(dir.resolve("revoked"), FileStateStore.HEADER).load());
  }

  @Test
  void savedListLoadsBackAndLeavesNoTempFile() throws IOException {
    DenyListFile store = new DenyListFile(dir.resolve("revoked"), FileStateStore.HEADER);
    DenyList list = DenyList.EMPTY.withIdentity("device-17").withIdentity("spiffe://fleet/a b").withSerial("0A:FF");
    store.save(list);
    assertEquals(list, store.load());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("revoked")), files.toList());
    }
    assertTrue(Files.readString(dir.resolve("revoked")).endsWith(
        "identity device-17\nidentity spiffe://fleet/a b\nserial aff\n"));
  }

  @Test
  void saveReplacesTheOldList() throws IOException {
    DenyListFile store = new DenyListFile(dir.resolve("revoked"), FileStateStore.HEADER);
    store.save(DenyList.EMPTY.withIdentity("a"));
    store.save(DenyList.EMPTY.withIdentity("b"));
    assertEquals(Set.of("b"), store.load().identities());
  }

  @Test
  void commentsAndBlankLinesAreSkipped() throws IOException {
    Files.writeString(dir.resolve("revoked"), "# hand-written\n\nidentity x\nserial 00ab\n");
    DenyList list = new DenyListFile(dir.resolve("revoked"), FileStateStore.HEADER).load();
    assertEquals(Set.of("x"), list.identities());
    assertEquals(Set.of("ab"), list.serials());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "identity x\\nbanana   | 2 | \"banana\": expected \"identity NAME\" or \"serial HEX\"; the deny list is corrupt (fix or remove it by hand)",
      "identity              | 1 | \"identity\": expected \"identity NAME\" or \"serial HEX\"; the deny list is corrupt (fix or remove it by hand)",
      "serial xyz            | 1 | \"serial xyz\": not a hex serial: xyz; the deny list is corrupt (fix or remove it by hand)",
      "identity  padded      | 1 | \"identity  padded\": expected \"identity NAME\" or \"serial HEX\"; the deny list is corrupt (fix or remove it by hand)",
      "Identity x            | 1 | \"Identity x\": expected \"identity NAME\" or \"serial HEX\"; the deny list is corrupt (fix or remove it by hand)",
  })
  void corruptLineIsAnErrorNamingFileAndLine(String content, int line, String message) throws IOException {
    Path file = dir.resolve("revoked");
    Files.writeString(file, content.replace("\\n", "\n"));
    IOException e = assertThrows(IOException.class, () -> new DenyListFile(file, FileStateStore.HEADER).load());
    assertEquals(file + ":" + line + ": " + message, e.getMessage());
    assertTrue(Files.exists(file), "never discarded");
  }

  @Test
  void binaryGarbageIsReportedNotDiscarded() throws IOException {
    Path file = dir.resolve("revoked");
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    IOException e = assertThrows(IOException.class, () -> new DenyListFile(file, FileStateStore.HEADER).load());
    assertEquals(file + ": not UTF-8 text; the deny list is corrupt (fix or remove it by hand)", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"device-1|true", "a b|true", "' x'|false", "'x '|false", "''|false"})
  void validEntries(String value, boolean valid) {
    assertEquals(valid, DenyList.validEntry(value));
    assertFalse(DenyList.validEntry("a\nidentity b"));
  }

  @Test
  void whoWhenAndWhyRoundTripAsTabSeparatedFields() throws IOException {
    DenyListFile store = new DenyListFile(dir.resolve("revoked"), FileStateStore.HEADER);
    DenyListEntry e = new DenyListEntry(DenyListEntry.Kind.IDENTITY, "device 17", "root@host-a",
        Instant.parse("2026-12-01T10:00:00Z"), "lost in the field");
    DenyList list = DenyList.of(List.of(e)).withSerial("0A");
    store.save(list);
    assertEquals(list, store.load());
    assertEquals(e, store.load().entries().get("identity device 17"));
    assertTrue(Files.readString(dir.resolve("revoked")).contains(
        "identity device 17\tby=root@host-a\tat=2026-12-01T10:00:00Z\treason=lost in the field\nserial a\n"));
  }

  @Test
  void unknownFieldOrBadTimeIsCorruptNamingTheLine() throws IOException {
    Path file = dir.resolve("revoked");
    Files.writeString(file, "identity x\tcolour=red\n");
    IOException e = assertThrows(IOException.class, () -> new DenyListFile(file, "").load());
    assertEquals(file + ":1: \"identity x colour=red\": unknown field \"colour=red\" (expected by=, at= or reason=);"
        + " the deny list is corrupt (fix or remove it by hand)", e.getMessage());
    Files.writeString(file, "identity x\tat=yesterday\n");
    e = assertThrows(IOException.class, () -> new DenyListFile(file, "").load());
    assertTrue(e.getMessage().startsWith(file + ":1: "), e.getMessage());
  }
}
