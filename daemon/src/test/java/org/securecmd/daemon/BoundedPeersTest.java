package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;

/**
 * One peer cannot hold a connection or the daemon's permits without bound: a slow-drip sender is cut at
 * {@code request_timeout}, a peer that stops reading at {@code write_timeout}, an identity at
 * {@code max_connections_per_identity}, an address at {@code max_handshakes_per_address}, and every
 * connection at {@code max_connection_age}.
 */
class BoundedPeersTest {
  @TempDir Path dir;

  private static String config(String serverLines) {
    return TestDaemon.config("", "")
        .replace("handshake_timeout = \"2s\"", "handshake_timeout = \"30s\"\n" + serverLines);
  }

  @Test
  void aSlowDripSenderIsClosedAtTheRequestTimeout() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("request_timeout = \"1s\""))) {
      try (SSLSocket s = MutualTlsTest.rawClient(d, d.device)) {
        assertEquals("PONG", request(s, "PING"), "a whole line at once is served");
        AtomicInteger sent = new AtomicInteger();
        // One byte every 200 ms, never a newline: each read sees bytes, so idle_timeout (30s) never fires.
        Thread drip = Thread.ofPlatform().name("drip").start(() -> {
          try {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 100; i++) {
              out.write('A');
              out.flush();
              sent.incrementAndGet();
              TimeUnit.MILLISECONDS.sleep(200); // the drip's pace, not a synchronisation
            }
          } catch (IOException | InterruptedException closed) {
            // the daemon closed the connection: what this test waits for
          }
        });
        assertEquals(-1, HostileInputTest.readOrEof(s.getInputStream()), "closed without a reply");
        assertTrue(sent.get() < 100, "closed before the drip ended, after " + sent.get() + " bytes");
        s.close();
        drip.join(Duration.ofSeconds(30));
      }
      assertEquals(Map.of("request", 1L), d.daemon.metrics().snapshot().timeouts());
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text(), "everyone else is served");
    }
  }

  @Test
  void aPeerThatStopsReadingIsClosedAtTheWriteTimeout() throws Exception {
    // 32 KiB replies fill the kernel's buffers after a few hundred requests, so the reply write blocks soon.
    String big = "[commands.BIG]\nreply = \"" + "x".repeat(32 * 1024) + "\"\nallow = [\"trusted-client\"]\n";
    try (TestDaemon d = TestDaemon.start(dir, config("write_timeout = \"1s\"\nmax_requests_per_connection = 100000000")
        + big)) {
      HostilePeers.requestsWithoutReadingReplies(d, "BIG\n".getBytes(StandardCharsets.UTF_8), () -> assertTrue(
          HostilePeers.await(() -> d.daemon.metrics().snapshot().timeouts().getOrDefault("write", 0L) == 1,
              Duration.ofSeconds(30)),
          "a blocked reply write was cut: " + d.daemon.metrics().snapshot().timeouts()));
      HostileInputTest.awaitOpenConnections(d, 0);
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
    }
  }

  @Test
  void oneIdentityCannotHoldMoreThanItsConnections() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("max_connections_per_identity = 2"))) {
      List<Connection> held = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          held.add(d.connect(d.device));
          assertEquals("PONG", held.get(i).send("PING").text());
        }
        try (SSLSocket third = MutualTlsTest.rawClient(d, d.device)) {
          third.startHandshake();
          assertEquals("ERR BUSY too many open connections for this identity (max 2)",
              HostileInputTest.readLine(third.getInputStream()));
          assertEquals(-1, HostileInputTest.readOrEof(third.getInputStream()));
        }
        held.removeFirst().close();
        HostileInputTest.awaitOpenConnections(d, 1);
        assertEquals("PONG", d.send(d.device, "PING").text(), "a slot given back can be taken again");
      } finally {
        held.forEach(Connection::close);
      }
      assertEquals(1L, d.daemon.metrics().snapshot().refusedByReason().get("identity_limit"));
    }
  }

  @Test
  void oneAddressCannotHoldMoreThanItsHandshakes() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("max_handshakes_per_address = 2"))) {
      List<Socket> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) stalled.add(new Socket("127.0.0.1", d.port())); // never say a word
        HostileInputTest.awaitOpenConnections(d, 2);
        try (Socket third = new Socket("127.0.0.1", d.port())) {
          third.setSoTimeout(20_000); // far below the 30 s handshake timeout the stalled ones are under
          assertEquals(0, HostilePeers.readAll(third.getInputStream()).length, "reset at once");
        }
        assertEquals(1L, d.daemon.metrics().snapshot().refusedByReason().get("address_limit"));
      } finally {
        for (Socket s : stalled) s.close();
      }
      HostileInputTest.awaitOpenConnections(d, 0);
      assertEquals("PONG", d.send(d.device, "PING").text(), "the address's handshake slots were given back");
    }
  }

  @Test
  void aConnectionOlderThanMaxConnectionAgeIsClosedAfterItsRequest() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("max_connection_age = \"1s\""))) {
      try (SSLSocket s = MutualTlsTest.rawClient(d, d.device)) {
        assertEquals("PONG", request(s, "PING"));
        assertEquals(-1, HostileInputTest.readOrEof(s.getInputStream()), "closed once older than 1 s");
      }
      assertEquals(1L, d.daemon.metrics().snapshot().refusedByReason().get("max_connection_age"));
    }
  }

  private static String request(SSLSocket s, String line) throws IOException {
    s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return HostileInputTest.readLine(s.getInputStream());
  }
}
