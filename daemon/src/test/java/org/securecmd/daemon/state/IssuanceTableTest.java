package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The issuance records in a real PostgreSQL, as several hosts (one {@link IssuanceTable} each) share them. */
class IssuanceTableTest {
  @RegisterExtension
  static final TestPostgres pg = new TestPostgres();
  @TempDir Path dir;
  private final List<IssuanceTable> open = new ArrayList<>();

  @AfterEach
  void closeTables() {
    open.forEach(IssuanceTable::close);
  }

  /** One host's log: its own connection and its own state directory. */
  private IssuanceTable host(String database, String name) throws IOException {
    Path state = Files.createDirectories(dir.resolve(name));
    IssuanceTable t = new IssuanceTable(pg.database(database), state.resolve(StateStores.ISSUED_FILE));
    open.add(t);
    return t;
  }

  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  private static Issuance issuance(String serial, String key, Instant at, boolean rekey) {
    return new Issuance(serial, "dev-1", "CN=dev-1", at.plus(Duration.ofDays(365)), "1f", at, key.repeat(32), rekey);
  }

  @Test
  void everyHostSeesEveryRecordAndASerialIsIssuedOnce() throws Exception {
    String db = pg.createDatabase();
    IssuanceTable a = host(db, "a");
    IssuanceTable b = host(db, "b");
    a.append(issuance("a1", "ab", NOW, false));
    b.append(issuance("b1", "cd", NOW.plusSeconds(1), true));
    assertEquals(List.of(issuance("a1", "ab", NOW, false), issuance("b1", "cd", NOW.plusSeconds(1), true)), a.all());
    assertEquals(a.all(), b.all());
    assertEquals(Optional.of(issuance("b1", "cd", NOW.plusSeconds(1), true)), a.bySerial("b1"));
    assertEquals(Optional.empty(), a.bySerial("ff"));
    assertEquals(2, b.forIdentity("dev-1").size());
    IOException dup = assertThrows(IOException.class, () -> b.append(issuance("a1", "ef", NOW, true)));
    assertTrue(dup.getMessage().contains("cannot record the issuance"), dup.getMessage());
    assertEquals(2, a.all().size(), "nothing recorded");
  }

  @Test
  void theSameKeyRuleHoldsWhenHostsRenewOneDeviceAtTheSameMoment() throws Exception {
    String db = pg.createDatabase();
    List<IssuanceTable> hosts = List.of(host(db, "a"), host(db, "b"), host(db, "c"), host(db, "d"));
    hosts.get(0).all(); // the schema exists before the race (the race is about the rule, not the migration)
    List<Future<Optional<Issuance>>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 8; i++) {
        IssuanceTable t = hosts.get(i % hosts.size());
        Issuance mine = issuance("s" + i, "ab", NOW, false);
        results.add(pool.submit((Callable<Optional<Issuance>>) () -> t.appendUnlessRenewedSince(mine, NOW.minusSeconds(60))));
      }
      int issued = 0;
      for (Future<Optional<Issuance>> f : results) if (f.get(30, TimeUnit.SECONDS).isEmpty()) issued++;
      assertEquals(1, issued, "exactly one of eight same-key renewals on four hosts is issued");
    }
    assertEquals(1, hosts.get(3).all().size());
    // a later one, after the spacing, and a new key at once, are accepted
    assertTrue(hosts.get(1).appendUnlessRenewedSince(issuance("t1", "ab", NOW.plusSeconds(120), false), NOW.plusSeconds(61)).isEmpty());
    assertTrue(hosts.get(2).appendUnlessRenewedSince(issuance("t2", "cd", NOW.plusSeconds(121), false), NOW.plusSeconds(61)).isEmpty());
  }

  @Test
  void aHostSwitchingFromTheFileBackendImportsItsRecordsOnce() throws Exception {
    String db = pg.createDatabase();
    Path file = Files.createDirectories(dir.resolve("a")).resolve(StateStores.ISSUED_FILE);
    IssuanceFile old = new IssuanceFile(file);
    old.append(issuance("f1", "ab", NOW, false));
    old.append(issuance("f2", "cd", NOW.plusSeconds(5), true));
    IssuanceTable a = host(db, "a");
    assertEquals(List.of("f1", "f2"), a.all().stream().map(Issuance::serial).toList());
    assertFalse(Files.exists(file), "renamed once imported");
    assertTrue(Files.exists(file.resolveSibling("issued.imported")));
    assertEquals(Optional.of(issuance("f2", "cd", NOW.plusSeconds(5), true)), host(db, "b").bySerial("f2"),
        "another host finds the imported rekey (its rollover completes there)");
    // a crash between the commit and the rename imports again, adding nothing
    Files.copy(file.resolveSibling("issued.imported"), file);
    assertEquals(2, host(db, "a").all().size());
  }
}
