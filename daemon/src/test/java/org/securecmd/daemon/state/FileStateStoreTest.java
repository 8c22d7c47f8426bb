package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.auth.DenyListEntry;

class FileStateStoreTest {
  @TempDir Path dir;

  private static DenyListEntry entry(DenyListEntry.Kind kind, String value) {
    return new DenyListEntry(kind, value, "alice@host-a", Instant.parse("2026-12-01T10:00:00Z"), "lost");
  }

  @Test
  void revokeSavesAtOnceAndARestartReadsItBackWithWhoWhenWhy() throws Exception {
    FileStateStore s = new FileStateStore(dir.resolve("revoked"), Clock.systemUTC());
    assertEquals(StateStore.Revoked.SAVED, s.revoke(entry(DenyListEntry.Kind.IDENTITY, "device-1")));
    assertEquals(StateStore.Revoked.UNCHANGED, s.revoke(entry(DenyListEntry.Kind.IDENTITY, "device-1")));
    assertEquals(StateStore.Revoked.SAVED, s.revoke(entry(DenyListEntry.Kind.SERIAL, "0A:FF")));
    FileStateStore again = new FileStateStore(dir.resolve("revoked"), Clock.systemUTC());
    assertEquals(Set.of("device-1"), again.denyList().identities());
    assertEquals(Set.of("aff"), again.denyList().serials());
    assertEquals(entry(DenyListEntry.Kind.IDENTITY, "device-1"), again.denyList().entries().get("identity device-1"));
    assertFalse(again.health().degraded());
    assertEquals("file", again.health().backend());
  }

  @Test
  void unrevokeTakesANameOrASerialInAnySpelling() throws Exception {
    FileStateStore s = new FileStateStore(dir.resolve("revoked"), Clock.systemUTC());
    s.revoke(entry(DenyListEntry.Kind.SERIAL, "0a"));
    s.revoke(entry(DenyListEntry.Kind.IDENTITY, "device-1"));
    assertTrue(s.unrevoke("0x0A"));
    assertFalse(s.unrevoke("0a"), "already gone");
    assertTrue(s.unrevoke("device-1"));
    assertEquals(0, new FileStateStore(dir.resolve("revoked"), Clock.systemUTC()).denyList().size());
    assertTrue(Files.readString(dir.resolve("revoked")).startsWith("# securecmd deny list"));
  }
}
