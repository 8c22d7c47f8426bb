package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.securecmd.daemon.admin.Json;
import org.securecmd.daemon.state.TestPostgres;
import org.securecmd.tls.TestPki;

/**
 * Issue 11's fleet end to end: two daemon processes sharing one real PostgreSQL ({@link TestPostgres}) behind a
 * real HAProxy ({@link HaproxyFleet}, the shipped config), real mutual TLS. A revoke on one host reaches the
 * device's held connection on the other and HAProxy's next connection within 1 s; with the database stopped
 * the hosts serve on from the last-known list; when it is back they converge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaproxySharedStateTest {
  @RegisterExtension
  static final TestPostgres pg = new TestPostgres();
  private HaproxyFleet fleet;

  @BeforeAll
  void startFleet(@TempDir Path dir) throws Exception {
    String database = pg.createDatabase();
    fleet = HaproxyFleet.start(dir, 2, "allow = [\"*\"]", (i, config) -> pg.withState(config, database));
  }

  @AfterAll
  void stopFleet() throws Exception {
    if (fleet != null) fleet.close();
  }

  /** The reply to PING, or "closed" when the daemon closed the connection without one. */
  private static String ping(SSLSocket s) {
    try {
      return HaproxyFleet.request(s, "PING");
    } catch (IOException e) {
      return "closed";
    }
  }

  /** Whether a new connection of {@code as} is refused: through HAProxy from {@code from}, or straight to daemon i. */
  private boolean refusedThroughBalancer(String from, TestPki.Issued as) {
    try (SSLSocket s = fleet.throughBalancer(from, as)) {
      return !ping(s).equals("PONG");
    } catch (IOException e) {
      return true; // refused during the handshake
    }
  }

  private boolean refusedBy(int daemon, TestPki.Issued as) {
    try (SSLSocket s = fleet.direct(daemon, as)) {
      return ping(s).startsWith("ERR FORBIDDEN");
    } catch (IOException e) {
      return false;
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> state(int daemon) {
    Ctl.Result r = fleet.ctl(daemon).run("--json", "status");
    return (Map<String, Object>) ((Map<String, Object>) Json.parse(r.out().strip())).get("state");
  }

  private static void await(BooleanSupplier condition, Duration bound, String what) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + bound + ": " + what);
      Thread.sleep(10); // polling interval of a bounded wait
    }
  }

  @Test
  @Order(1)
  void aRevokeOnOneHostClosesTheHeldConnectionOnTheOtherAndHaproxyRefusesTheDeviceWithinASecond() throws Exception {
    TestPki.Issued device = fleet.pki.issue(TestPki.spec("held-device").clientAuth());
    try (SSLSocket held = fleet.throughBalancer("127.0.0.20", device)) {
      assertEquals("PONG", ping(held));
      int holder = fleet.ctl(0).run("connections").out().contains("held-device") ? 0 : 1;
      assertTrue(fleet.ctl(holder).run("connections").out().contains("held-device"), "one daemon holds it");
      int other = 1 - holder;
      long t0 = System.nanoTime();
      Ctl.Result r = fleet.ctl(other).run("revoke", "held-device", "--reason", "lost in the field");
      assertEquals(0, r.code(), r.toString());
      String[] last = {""};
      await(() -> {
        last[0] = ping(held);
        return last[0].equals("closed") || last[0].startsWith("ERR FORBIDDEN");
      }, Duration.ofSeconds(1), "daemon" + (holder + 1) + " closed the held connection (last reply: " + last[0] + ")");
      long closed = System.nanoTime() - t0;
      await(() -> refusedThroughBalancer("127.0.0.20", device), Duration.ofSeconds(1), "HAProxy's next connection is refused");
      long refused = System.nanoTime() - t0;
      assertTrue(refused < Duration.ofSeconds(1).toNanos(), "both within 1 s of the revoke: " + refused / 1e6 + " ms");
      System.out.printf("revoke on daemon%d -> held connection on daemon%d closed after %.1f ms, new connection"
          + " through HAProxy refused after %.1f ms%n", other + 1, holder + 1, closed / 1e6, refused / 1e6);
    }
    assertTrue(refusedBy(0, device) && refusedBy(1, device), "refused by both hosts");
  }

  @Test
  @Order(2)
  void withPostgresqlStoppedTheFleetServesThroughHaproxyFromTheLastKnownListAndConvergesWhenItIsBack() throws Exception {
    TestPki.Issued revoked = fleet.pki.issue(TestPki.spec("revoked-before").clientAuth());
    TestPki.Issued during = fleet.pki.issue(TestPki.spec("revoked-during").clientAuth());
    assertEquals(0, fleet.ctl(0).run("revoke", "revoked-before").code());
    await(() -> refusedBy(1, revoked), Duration.ofSeconds(1), "daemon2 refuses revoked-before");
    long t0 = System.nanoTime();
    pg.stop();
    try {
      await(() -> Boolean.TRUE.equals(state(0).get("degraded")) && Boolean.TRUE.equals(state(1).get("degraded")),
          Duration.ofSeconds(15), "both daemons report degraded");
      System.out.printf("PostgreSQL stopped -> both daemons degraded after %.1f ms%n", (System.nanoTime() - t0) / 1e6);
      assertTrue(fleet.ctl(1).run("status").out().contains("DEGRADED"), fleet.ctl(1).run("status").out());
      for (int i = 0; i < 4; i++) { // devices from four addresses: HAProxy spreads them by source
        try (SSLSocket s = fleet.throughBalancer("127.0.0." + (30 + i))) {
          assertEquals("PONG", ping(s), "served through HAProxy during the outage");
        }
        assertTrue(refusedThroughBalancer("127.0.0." + (30 + i), revoked), "the last-known list refuses revoked-before");
      }
      assertTrue(refusedBy(0, revoked) && refusedBy(1, revoked), "on both hosts");

      Ctl.Result local = fleet.ctl(0).run("revoke", "revoked-during");
      assertEquals(5, local.code(), local.toString());
      assertTrue(local.err().contains("this host only until the database is back"), local.toString());
      assertTrue(refusedBy(0, during), "in effect on daemon1 at once");
      assertTrue(!refusedBy(1, during), "daemon2 cannot know yet");
    } finally {
      pg.restart();
    }
    long t1 = System.nanoTime();
    await(() -> Boolean.FALSE.equals(state(0).get("degraded")) && Boolean.FALSE.equals(state(1).get("degraded")),
        Duration.ofSeconds(20), "both daemons recover");
    await(() -> refusedBy(1, during), Duration.ofSeconds(2), "daemon2 refuses the device revoked on daemon1 during the outage");
    System.out.printf("PostgreSQL started again -> converged after %.1f ms%n", (System.nanoTime() - t1) / 1e6);
    assertEquals(0L, state(0).get("pending"));
    assertTrue(fleet.ctl(1).run("revoked").out().contains("revoked-during"), "listed on every host");
    for (int i = 0; i < 4; i++) assertTrue(refusedThroughBalancer("127.0.0." + (30 + i), during), "through HAProxy too");
  }
}
