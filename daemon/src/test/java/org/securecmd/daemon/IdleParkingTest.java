package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.daemon.server.ConnectionInfo;

/**
 * Connections that wait for their next request park without a thread (the server's idle selector) and are
 * served, refused, timed out and drained from there exactly as a connection whose thread waits.
 */
class IdleParkingTest {
  private static final Duration BOUND = Duration.ofSeconds(20);
  @TempDir Path dir;

  private static String config(String serverLines) {
    return TestDaemon.config("", "").replace("handshake_timeout = \"2s\"",
        "handshake_timeout = \"10s\"\nmax_connections_per_identity = 100\n" + serverLines);
  }

  @Test
  void idleConnectionsParkAndAreServedWhenTheyAskAgain() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config(""))) {
      List<Connection> held = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          Connection c = d.connect(d.device);
          held.add(c);
          assertEquals("PONG", c.send("PING").text());
        }
        awaitParked(d, 20);
        Ctl ctl = new Ctl(d.daemon.adminSocket());
        Ctl.Result status = ctl.run("status");
        assertTrue(status.out().contains("connections: 20 open (20 idle without a thread)"), status.toString());
        Ctl.Result metrics = ctl.run("metrics");
        assertTrue(metrics.out().contains("\nsecurecmd_connections_parked 20\n"), metrics.toString());
        for (int round = 0; round < 3; round++) {
          for (Connection c : held) assertEquals("THIS_IS_THE_SECRET", c.send("GET_SECRET").text());
          awaitParked(d, 20);
        }
        assertEquals(20, d.daemon.server().openConnections());
      } finally {
        held.forEach(Connection::close);
      }
      HostileInputTest.awaitOpenConnections(d, 0);
      assertEquals(0, d.daemon.server().parkedConnections(), "a close from the peer is taken up and ended");
    }
  }

  @Test
  void aConnectionThatNeverSendsParksAndIsServedLater() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config(""))) {
      try (SSLSocket s = MutualTlsTest.rawClient(d, d.device)) {
        s.startHandshake();
        awaitParked(d, 1);
        assertEquals("PONG", HaproxyFleet.request(s, "PING"), "its first request, after a park");
      }
    }
  }

  @Test
  void aParkedConnectionGetsItsRefusalLineThenTheClose() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("")); Connection c = d.connect(d.device)) {
      assertEquals("PONG", c.send("PING").text());
      awaitParked(d, 1);
      ConnectionInfo info = d.daemon.server().registry().list().getFirst();
      assertTrue(d.daemon.server().registry().disconnect(info.id()).isPresent());
      assertEquals("ERR FORBIDDEN disconnected by the operator", c.send("PING").line(),
          "the unprompted line, written by the parked connection's new thread");
      assertThrows(ClientException.class, () -> c.send("PING"));
      HostileInputTest.awaitOpenConnections(d, 0);
      assertEquals(0, d.daemon.server().parkedConnections());
    }
  }

  @Test
  void aParkedConnectionIsClosedAtItsIdleTimeoutAndReleased() throws Exception {
    String cfg = config("").replace("idle_timeout = \"30s\"", "idle_timeout = \"1s\"");
    try (TestDaemon d = TestDaemon.start(dir, cfg); Connection c = d.connect(d.device)) {
      assertEquals("PONG", c.send("PING").text());
      HostileInputTest.awaitOpenConnections(d, 0); // parked after 100 ms, closed by the sweep at 1 s
      assertEquals(0, d.daemon.server().parkedConnections());
      assertThrows(ClientException.class, () -> c.send("PING"), "closed by the daemon");
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text(), "and its permit is back");
    }
  }

  @Test
  void aStopClosesParkedConnectionsAtOnce() throws Exception {
    TestDaemon d = TestDaemon.start(dir, config(""));
    try (Connection c = d.connect(d.device)) {
      assertEquals("PONG", c.send("PING").text());
      awaitParked(d, 1);
      assertTrue(d.daemon.server().drain(BOUND), "the parked connection ended within the drain's bound");
      assertEquals(0, d.daemon.server().openConnections());
    } finally {
      d.close();
    }
  }

  private static void awaitParked(TestDaemon d, int n) throws InterruptedException {
    assertTrue(HostilePeers.await(() -> d.daemon.server().parkedConnections() == n, BOUND),
        "expected " + n + " parked connections, have " + d.daemon.server().parkedConnections()
            + " of " + d.daemon.server().openConnections() + " open");
  }
}
