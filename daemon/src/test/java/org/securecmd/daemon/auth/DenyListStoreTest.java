package org.securecmd.daemon.auth;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DenyListStoreTest {
  @TempDir Path dir;

  @Test
  void missingFileIsAnEmptyList() throws IOException {
    assertEquals(DenyList.EMPTY, new DenyListStore(dir.resolve("revoked")).load());
  }

  @Test
  void savedListLoadsBackAndLeavesNoTempFile() throws IOException {
    DenyListStore store = new DenyListStore(dir.resolve("revoked"));
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
    DenyListStore store = new DenyListStore(dir.resolve("revoked"));
    store.save(DenyList.EMPTY.withIdentity("a"));
    store.save(DenyList.EMPTY.withIdentity("b"));
    assertEquals(Set.of("b"), store.load().identities());
  }

  @Test
  void commentsAndBlankLinesAreSkipped() throws IOException {
    Files.writeString(dir.resolve("revoked"), "# hand-written\n\nidentity x\nserial 00ab\n");
    DenyList list = new DenyListStore(dir.resolve("revoked")).load();
    assertEquals(Set.of("x"), list.identities());
    assertEquals(Set.of("ab"), list.serials());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "identity x\\nbanana   | 2 | \"banana\": expected \"identity NAME\" or \"serial HEX\"; the deny list is corrupt (fix or remove it by hand)",
      "identity              | 1 | \"identity\": expected \"identity NAME\" or \"serial HEX\"; the deny list is corrupt (fix or remove it by hand)",
      "serial xyz            | 1 | \"serial xyz\": not a hex serial: xyz; the deny list is corrupt",
      "identity  padded      | 1 | \"identity  padded\": expected \"identity NAME\" or \"serial HEX\"; the deny list is corrupt (fix or remove it by hand)",
      "Identity x            | 1 | \"Identity x\": expected \"identity NAME\" or \"serial HEX\"; the deny list is corrupt (fix or remove it by hand)",
  })
  void corruptLineIsAnErrorNamingFileAndLine(String content, int line, String message) throws IOException {
    Path file = dir.resolve("revoked");
    Files.writeString(file, content.replace("\\n", "\n"));
    IOException e = assertThrows(IOException.class, () -> new DenyListStore(file).load());
    assertEquals(file + ":" + line + ": " + message, e.getMessage());
    assertTrue(Files.exists(file), "never discarded");
  }

  @Test
  void binaryGarbageIsReportedNotDiscarded() throws IOException {
    Path file = dir.resolve("revoked");
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    IOException e = assertThrows(IOException.class, () -> new DenyListStore(file).load());
    assertEquals(file + ": not UTF-8 text; the deny list is corrupt (fix or remove it by hand)", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"device-1|true", "a b|true", "' x'|false", "'x '|false", "''|false"})
  void validEntries(String value, boolean valid) {
    assertEquals(valid, DenyListStore.validEntry(value));
    assertFalse(DenyListStore.validEntry("a\nidentity b"));
  }
}
