package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;

/** The PostgreSQL backend against a real throwaway cluster: schema, propagation, outages, import. */
class PostgresStateStoreTest {
  @RegisterExtension
  static final TestPostgres pg = new TestPostgres();
  @TempDir Path dir;
  private final List<StateStore> open = new ArrayList<>();

  @AfterEach
  void closeStores() throws Exception {
    open.forEach(StateStore::close);
  }

  /** As the daemon makes it (DaemonThreads.stateFollower). */
  private static final java.util.concurrent.ThreadFactory FOLLOWER =
      Thread.ofPlatform().name("state-follower").daemon(true).factory();

  private PostgresStateStore store(String database, String host) throws IOException {
    Path state = dir.resolve(host);
    Files.createDirectories(state);
    PostgresStateStore s = PostgresStateStore.open(pg.database(database), state, Clock.systemUTC(), FOLLOWER);
    open.add(s);
    return s;
  }

  private static DenyListEntry identity(String name) {
    return new DenyListEntry(DenyListEntry.Kind.IDENTITY, name, "root@test", Instant.parse("2026-12-01T10:00:00Z"),
        "test");
  }

  static void await(BooleanSupplier condition, Duration bound, String what) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + bound + ": " + what);
      Thread.sleep(10); // polling interval of a bounded wait, not a synchronisation sleep
    }
  }

  @Test
  void severalStoresStartingAtOnceOnAnEmptyDatabaseAllGetTheSchemaOnce() throws Exception {
    for (int round = 0; round < 3; round++) {
      String db = pg.createDatabase();
      int n = 4;
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(n);
      List<Future<PostgresStateStore>> started = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String host = "r" + round + "h" + i;
        started.add(pool.submit(() -> {
          go.await();
          return store(db, host);
        }));
      }
      go.countDown();
      for (Future<PostgresStateStore> f : started) assertFalse(f.get(60, TimeUnit.SECONDS).health().degraded());
      pool.shutdown();
      try (Connection c = pg.connect(db); Statement s = c.createStatement();
           ResultSet r = s.executeQuery("SELECT version FROM securecmd_schema")) {
        assertTrue(r.next());
        assertEquals(Schema.LATEST, r.getInt(1));
        assertFalse(r.next(), "exactly one version row");
      }
    }
  }

  @Test
  void aSchemaNewerThanTheDaemonKnowsIsAClearStartupError() throws Exception {
    String db = pg.createDatabase();
    store(db, "a").close();
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      s.execute("UPDATE securecmd_schema SET version = 99");
    }
    IOException e = assertThrows(IOException.class, () -> store(db, "b"));
    assertTrue(e.getMessage().contains("schema is version 99, newer than this securecmdd knows (" + Schema.LATEST
        + ")"), e.getMessage());
  }

  @Test
  void aRevokeOnOneHostReachesTheOtherWellUnderASecondAndAnUnrevokeToo() throws Exception {
    String db = pg.createDatabase();
    PostgresStateStore a = store(db, "a");
    PostgresStateStore b = store(db, "b");
    List<DenyList> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    b.listen(new StateListener() {
      @Override public void denyListChanged(DenyList now) { heard.add(now); }
      @Override public void healthChanged(StateHealth now) {}
    });
    long t0 = System.nanoTime();
    assertEquals(StateStore.Revoked.SAVED, a.revoke(identity("device-1")));
    await(() -> b.denyList().identities().contains("device-1"), Duration.ofSeconds(1), "B sees A's revoke");
    System.out.printf("revoke propagation A -> B: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
    await(() -> !heard.isEmpty(), Duration.ofSeconds(1), "B's listener was told");
    assertEquals(identity("device-1"), b.denyList().entries().get("identity device-1"), "who/when/why travel too");
    assertTrue(a.unrevoke("device-1"));
    await(() -> b.denyList().size() == 0, Duration.ofSeconds(1), "B sees A's unrevoke");
    assertFalse(a.unrevoke("device-1"), "not on the list any more");
  }

  @Test
  void anUnreachableDatabaseAtStartWithoutALastKnownCopyRefusesToStart() throws Exception {
    Path state = Files.createDirectories(dir.resolve("x"));
    IOException e = assertThrows(IOException.class, () -> PostgresStateStore.open(
        new Database("jdbc:postgresql://127.0.0.1:1/none", "u", null), state, Clock.systemUTC(), FOLLOWER));
    assertTrue(e.getMessage().contains("cannot reach the database jdbc:postgresql://127.0.0.1:1/none"), e.getMessage());
    assertTrue(e.getMessage().contains("there is no last-known copy"), e.getMessage());
  }

  @Test
  void aMissingDatabaseAtStartWithALastKnownCopyStartsDegradedAndEnforcesIt() throws Exception {
    String db = pg.createDatabase();
    store(db, "a").revoke(identity("device-2"));
    open.forEach(StateStore::close);
    Path state = dir.resolve("a");
    assertTrue(Files.exists(state.resolve(PostgresStateStore.LAST_KNOWN)));
    PostgresStateStore s = PostgresStateStore.open(new Database(pg.url("no_such_database"), TestPostgres.USER,
        Files.readString(pg.passwordFile()).strip().toCharArray()), state, Clock.systemUTC(), FOLLOWER);
    open.add(s);
    assertTrue(s.health().degraded(), s.health().toString());
    assertTrue(s.denyList().identities().contains("device-2"));
  }

  @Test
  void anOutageKeepsTheListRevokesGoToTheJournalUnrevokesAreRefusedAndItConvergesAfter() throws Exception {
    String db = pg.createDatabase();
    PostgresStateStore a = store(db, "a");
    PostgresStateStore b = store(db, "b");
    a.revoke(identity("before"));
    await(() -> b.denyList().identities().contains("before"), Duration.ofSeconds(2), "B has the list");
    pg.stop();
    try {
      await(() -> a.health().degraded() && b.health().degraded(), Duration.ofSeconds(10), "both degraded");
      assertTrue(b.denyList().identities().contains("before"), "last-known list kept");
      assertEquals(StateStore.Revoked.THIS_HOST_ONLY, a.revoke(identity("during")));
      assertTrue(a.denyList().identities().contains("during"), "in effect here at once");
      assertEquals(1, a.health().pending());
      assertTrue(Files.readString(dir.resolve("a").resolve(PostgresStateStore.PENDING)).contains("identity during"));
      assertThrows(StateStore.Unavailable.class, () -> a.unrevoke("before"));
      assertTrue(a.denyList().identities().contains("before"), "a refused unrevoke changes nothing");
    } finally {
      pg.restart();
    }
    await(() -> !a.health().degraded() && !b.health().degraded(), Duration.ofSeconds(15), "both recovered");
    await(() -> b.denyList().identities().contains("during"), Duration.ofSeconds(2), "B got A's outage revoke");
    assertEquals(0, a.health().pending());
    assertFalse(Files.exists(dir.resolve("a").resolve(PostgresStateStore.PENDING)), "journal emptied");
  }

  @Test
  void switchingFromTheFileBackendImportsItsListOnce() throws Exception {
    String db = pg.createDatabase();
    Path state = Files.createDirectories(dir.resolve("a"));
    Files.writeString(state.resolve(StateStores.FILE_BACKEND_LIST), "identity old-1\nserial 0a\n");
    PostgresStateStore a = store(db, "a");
    assertEquals(DenyList.EMPTY.withIdentity("old-1").withSerial("a").identities(), a.denyList().identities());
    assertFalse(Files.exists(state.resolve(StateStores.FILE_BACKEND_LIST)));
    assertTrue(Files.exists(state.resolve(PostgresStateStore.IMPORTED)));
    assertTrue(a.unrevoke("old-1"));
    a.close();
    // a crash between the commit and the rename would import again: adding nothing that is there
    Files.copy(state.resolve(PostgresStateStore.IMPORTED), state.resolve(StateStores.FILE_BACKEND_LIST));
    Files.writeString(state.resolve(StateStores.FILE_BACKEND_LIST), "serial 0a\n");
    PostgresStateStore again = store(db, "a");
    assertEquals(java.util.Set.of(), again.denyList().identities(), "the unrevoked entry is not brought back");
    assertEquals(java.util.Set.of("a"), again.denyList().serials());
  }

  @Test
  void theUrlsQueryStringIsNeitherStoredInTheLastKnownCopyNorLogged() throws Exception {
    String db = pg.createDatabase();
    String query = "?ApplicationName=query-marker-7&sslmode=disable";
    Path state = Files.createDirectories(dir.resolve("q"));
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(PostgresStateStore.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      PostgresStateStore s = PostgresStateStore.open(new Database(pg.url(db) + query, TestPostgres.USER,
          Files.readString(pg.passwordFile()).strip().toCharArray()), state, Clock.systemUTC(), FOLLOWER);
      open.add(s);
      assertEquals(StateStore.Revoked.SAVED, s.revoke(identity("device-q")));
    } finally {
      logger.detachAppender(lines);
    }
    String lastKnown = Files.readString(state.resolve(PostgresStateStore.LAST_KNOWN));
    assertTrue(lastKnown.contains(pg.url(db) + ";"), lastKnown);
    assertFalse(lastKnown.contains("query-marker") || lastKnown.contains("sslmode"), lastKnown);
    assertFalse(lines.list.isEmpty(), "the schema migration is logged with the URL");
    for (var line : lines.list) assertFalse(line.getFormattedMessage().contains("query-marker"), line.getFormattedMessage());

    IOException e = assertThrows(IOException.class, () -> PostgresStateStore.open(new Database(
        "jdbc:postgresql://127.0.0.1:1/none" + query, "u", null), Files.createDirectories(dir.resolve("r")),
        Clock.systemUTC(), FOLLOWER));
    assertFalse(e.getMessage().contains("query-marker"), e.getMessage());
  }

  @Test
  void shownUrlsHaveNoQueryStringAndNoUserInfo() {
    assertEquals("jdbc:postgresql://db:5432/x", DatabaseUrl.shown("jdbc:postgresql://db:5432/x?sslpassword=s"));
    assertEquals("jdbc:postgresql://db/x", DatabaseUrl.shown("jdbc:postgresql://u:secret@db/x"));
    assertEquals("jdbc:postgresql:x", DatabaseUrl.shown("jdbc:postgresql:x?password=s"));
    assertEquals("jdbc:postgresql://a,b/x", DatabaseUrl.shown("jdbc:postgresql://a,b/x"));
  }
}
