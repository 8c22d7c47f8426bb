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
  void theCountRuleHoldsWhenHostsRenewOneDeviceWithNewKeysAtTheSameMoment() throws Exception {
    String db = pg.createDatabase();
    List<IssuanceTable> hosts = List.of(host(db, "a"), host(db, "b"), host(db, "c"), host(db, "d"));
    hosts.get(0).all();
    IssuanceLog.Rules rules = new IssuanceLog.Rules(Instant.MAX, NOW.minusSeconds(60), 3);
    List<Future<Optional<IssuanceLog.Conflict>>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 8; i++) {
        IssuanceTable t = hosts.get(i % hosts.size());
        Issuance mine = issuance("k" + i, Integer.toHexString(i % 16) + "f", NOW.plusMillis(i), true);
        results.add(pool.submit((Callable<Optional<IssuanceLog.Conflict>>) () -> t.append(mine, rules)));
      }
      int issued = 0;
      for (Future<Optional<IssuanceLog.Conflict>> f : results) {
        Optional<IssuanceLog.Conflict> c = f.get(30, TimeUnit.SECONDS);
        if (c.isEmpty()) issued++;
        else assertFalse(c.get().sameKey(), "refused by the count");
      }
      assertEquals(3, issued, "max 3 of eight rekeys on four hosts are issued");
    }
    assertEquals(3, hosts.get(3).all().size());
  }

  @Test
  void aFirstUseIsRecordedOnceForEveryHostAndSuccessorsAreFoundByPredecessor() throws Exception {
    String db = pg.createDatabase();
    IssuanceTable a = host(db, "a");
    IssuanceTable b = host(db, "b");
    a.append(issuance("u1", "ab", NOW, false));
    a.append(issuance("u2", "cd", NOW.plusSeconds(1), true));
    b.markUsed("u2", NOW.plusSeconds(10));
    a.markUsed("u2", NOW.plusSeconds(20)); // the first use stays the first
    assertEquals(List.of(issuance("u1", "ab", NOW, false),
        issuance("u2", "cd", NOW.plusSeconds(1), true).withFirstUse(NOW.plusSeconds(10))), a.successorsOf("1f"));
    assertEquals(List.of(), b.successorsOf("u1"));
    assertFalse(b.bySerial("u1").orElseThrow().used());
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

  @Test
  void whileTheDatabaseHangsEveryCallFailsWithinItsBudgetInsteadOfQueuingAndTheNextWorksAfter() throws Exception {
    String db = pg.createDatabase();
    IssuanceTable t = host(db, "a");
    t.append(issuance("h1", "ab", NOW, false)); // connected and migrated before the freeze
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      try (TestPostgres.Thaw thaw = pg.freeze()) {
        long t0 = System.nanoTime();
        List<Future<IOException>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          int n = i;
          calls.add(pool.submit(() -> {
            try {
              if (n % 2 == 0) t.forIdentity("dev-1");
              else t.append(issuance("h" + (n + 2), "cd", NOW, true));
              return null;
            } catch (IOException e) {
              return e;
            }
          }));
        }
        // each call's budget plus the one-second login step pgjdbc may take; a queue would take 4 budgets or more
        long bound = IssuanceTable.REQUEST_BUDGET.toMillis() + 1500;
        for (Future<IOException> f : calls) {
          IOException e = f.get(bound, TimeUnit.MILLISECONDS);
          System.out.printf("call while the database hangs failed after %.0f ms: %s%n", (System.nanoTime() - t0) / 1e6,
              e == null ? "(it did not fail)" : e.getMessage());
          assertTrue(e != null, "a call on a hung database cannot succeed");
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, t.forIdentity("dev-1").size(), "a new connection once the database answers again");
  }
}
