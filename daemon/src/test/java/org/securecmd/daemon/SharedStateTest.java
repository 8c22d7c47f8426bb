package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.daemon.admin.Json;
import org.securecmd.daemon.state.TestPostgres;
import org.securecmd.tls.TestPki;

/**
 * Two daemons in this JVM sharing one deny list in a real PostgreSQL cluster, with real TLS to each (direct,
 * no load balancer): propagation to open and new connections, an outage of the database, and its return.
 */
class SharedStateTest {
  @RegisterExtension
  static final TestPostgres pg = new TestPostgres();
  @TempDir Path dir;
  private TestDaemon a;
  private TestDaemon b;

  @AfterEach
  void stopDaemons() throws Exception {
    if (b != null) b.close();
    if (a != null) a.close();
  }

  private static String config(String url) {
    return pg.withStateAt(TestDaemon.config("allow = [\"*\"]", ""), url);
  }

  /** What daemon B told "systemd". */
  private final List<String> notified = new CopyOnWriteArrayList<>();

  private void startBoth(String database) throws Exception {
    a = TestDaemon.start(Files.createDirectories(dir.resolve("a")), config(pg.url(database)));
    b = TestDaemon.startLike(a, Files.createDirectories(dir.resolve("b")), config(pg.url(database)), notified::add);
  }

  private String lastStatus() {
    for (int i = notified.size() - 1; i >= 0; i--) if (notified.get(i).startsWith("STATUS=")) return notified.get(i);
    return "";
  }

  private static Ctl ctl(TestDaemon d) {
    return new Ctl(d.daemon.adminSocket());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> state(TestDaemon d) {
    Ctl.Result r = ctl(d).run("--json", "status");
    return (Map<String, Object>) ((Map<String, Object>) Json.parse(r.out().strip())).get("state");
  }

  private static boolean refused(TestDaemon d, TestPki.Issued device) {
    try {
      return "FORBIDDEN".equals(d.send(device, "PING").errorCode());
    } catch (Exception e) {
      return false;
    }
  }

  private static void await(BooleanSupplier condition, Duration bound, String what) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + bound + ": " + what);
      Thread.sleep(10); // polling interval of a bounded wait
    }
  }

  @Test
  void aRevokeOnOneDaemonClosesTheDevicesHeldConnectionOnTheOtherAndRefusesNewOnesWithinASecond() throws Exception {
    startBoth(pg.createDatabase());
    try (Connection held = b.connect(b.device)) {
      assertEquals("PONG", held.send("PING").text());
      long t0 = System.nanoTime();
      Ctl.Result r = ctl(a).run("revoke", "trusted-client", "--reason", "stolen from the van");
      assertEquals(0, r.code(), r.toString());
      await(() -> {
        try {
          held.send("PING");
          return false;
        } catch (ClientException e) {
          return true;
        }
      }, Duration.ofSeconds(1), "B closed the revoked device's open connection");
      long closedNanos = System.nanoTime() - t0;
      assertTrue(refused(b, b.device), "B refuses a new connection of the device");
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(1).toNanos(), "both within 1 s of the revoke");
      System.out.printf("revoke on A -> held connection on B closed: %.1f ms%n", closedNanos / 1e6);
    }
    String listed = ctl(b).run("revoked").out();
    assertTrue(listed.contains("identity trusted-client  (") && listed.contains("stolen from the van"), listed);
    assertEquals(0, ctl(b).run("unrevoke", "trusted-client").code());
    await(() -> !refused(a, a.device), Duration.ofSeconds(1), "A serves the device again after B's unrevoke");
  }

  @Test
  void withTheDatabaseDownDaemonsServeTheLastKnownListAndConvergeWhenItIsBack() throws Exception {
    startBoth(pg.createDatabase());
    TestPki.Issued other = a.pki.issue(TestPki.spec("device-2").clientAuth());
    assertEquals(0, ctl(a).run("revoke", "device-2").code());
    await(() -> refused(b, other), Duration.ofSeconds(1), "B refuses device-2");
    pg.stop();
    try {
      await(() -> Boolean.TRUE.equals(state(a).get("degraded")) && Boolean.TRUE.equals(state(b).get("degraded")),
          Duration.ofSeconds(10), "both daemons report degraded");
      assertTrue(ctl(b).run("status").out().contains("state:       postgresql, DEGRADED: "), ctl(b).run("status").out());
      await(() -> lastStatus().endsWith(", state degraded (last-known deny list)"), Duration.ofSeconds(2),
          "systemd's STATUS= says degraded: " + lastStatus());
      assertTrue(ctl(a).run("metrics").out().contains("\nsecurecmd_state_degraded 1\n"));
      assertTrue(refused(b, other), "the last-known list still refuses device-2");
      assertEquals("PONG", b.send(b.device, "PING").text(), "and everyone else is served");

      Ctl.Result local = ctl(a).run("revoke", "trusted-client");
      assertEquals(5, local.code(), local.toString());
      assertTrue(local.err().contains("this host only until the database is back"), local.toString());
      assertTrue(refused(a, a.device), "in effect on A at once");
      assertEquals("PONG", b.send(b.device, "PING").text(), "B cannot know yet");

      Ctl.Result un = ctl(a).run("--json", "unrevoke", "device-2");
      assertEquals(1, un.code(), un.toString());
      assertTrue(un.out().contains("\"error\":\"STATE_UNAVAILABLE\""), un.toString());
      assertTrue(refused(a, other), "a refused unrevoke widens nothing");
    } finally {
      pg.restart();
    }
    await(() -> Boolean.FALSE.equals(state(a).get("degraded")) && Boolean.FALSE.equals(state(b).get("degraded")),
        Duration.ofSeconds(15), "both daemons recover");
    await(() -> refused(b, b.device), Duration.ofSeconds(2), "B refuses the device revoked on A during the outage");
    await(() -> lastStatus().startsWith("STATUS=generation") && !lastStatus().contains("degraded"),
        Duration.ofSeconds(2), "systemd's STATUS= no longer says degraded: " + lastStatus());
    assertEquals(0L, state(a).get("pending"));
    assertTrue(ctl(a).run("metrics").out().contains("\nsecurecmd_state_degraded 0\n"));
    Ctl.Result after = ctl(a).run("revoke", "device-3");
    assertEquals(0, after.code(), "a revoke after the outage is saved at once (no connection left from before): " + after);
  }

  @Test
  void anUnreachableDatabaseAtStartRefusesWithoutALastKnownCopyAndStartsDegradedWithOne() throws Exception {
    Path x = Files.createDirectories(dir.resolve("x"));
    IOException e = assertThrows(IOException.class,
        () -> TestDaemon.start(x, config("jdbc:postgresql://127.0.0.1:1/securecmd")));
    assertTrue(e.getMessage().contains("there is no last-known copy of the deny list"), e.getMessage());

    String database = pg.createDatabase();
    a = TestDaemon.start(Files.createDirectories(dir.resolve("a")), config(pg.url(database)));
    assertEquals(0, ctl(a).run("revoke", "trusted-client").code());
    TestDaemon first = a;
    a = null;
    first.close();
    b = TestDaemon.startLike(first, first.dir, config(pg.url("no_such_database")));
    assertEquals(true, state(b).get("degraded"));
    assertTrue(refused(b, b.device), "the last-known copy is enforced");
  }
}
