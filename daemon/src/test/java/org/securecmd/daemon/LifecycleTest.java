package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.protocol.Reply;

/** The daemon as a process: graceful SIGTERM with a request in flight, and --check-config. */
class LifecycleTest {
  @TempDir Path dir;

  @Test
  void sigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
    // A reply_file that is a FIFO blocks the handler until the test writes: a request held in flight.
    Path fifo = dir.resolve("slow.fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    String slow = "[commands.SLOW]\nreply_file = \"" + fifo + "\"\nallow = [\"*\"]";
    // Prepare PKI and config with the in-process fixture, then run the same files in a real JVM.
    TestDaemon fixture = TestDaemon.start(dir, TestDaemon.config("", slow).replace("127.0.0.1:0", "127.0.0.1:" + freePort()));
    fixture.close();
    int port = fixture.daemon.generation().config().server().listen().port();
    try (DaemonProcess p = DaemonProcess.daemon(dir.resolve("config.toml"))) {
      p.await(l -> l.contains("serving on"), Duration.ofSeconds(30), "start-up line");
      Connection c = fixture.client(fixture.device).connect("127.0.0.1", port);
      CompletableFuture<Reply> inFlight = CompletableFuture.supplyAsync(() -> {
        try {
          return c.send("SLOW");
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      p.await(l -> l.contains("connected conn="), Duration.ofSeconds(10), "connection audit line");
      p.signal("TERM"); // Process.destroy() would also close our end of its output pipe
      p.await(l -> l.contains("stopping"), Duration.ofSeconds(10), "stopping line");
      try (OutputStream w = Files.newOutputStream(fifo)) {
        w.write("late but delivered\n".getBytes(StandardCharsets.UTF_8));
      }
      assertEquals("late but delivered", inFlight.get(10, TimeUnit.SECONDS).text());
      assertEquals(0, p.exitCode(Duration.ofSeconds(20)), "graceful stop exits 0");
      c.close();
    }
  }

  @Test
  void checkConfigValidatesAndExits() throws Exception {
    TestDaemon.start(dir, TestDaemon.config("", "")).close();
    try (DaemonProcess ok = DaemonProcess.daemon(dir.resolve("config.toml"), "--check-config")) {
      assertEquals(0, ok.exitCode(Duration.ofSeconds(30)), ok.output());
      assertTrue(ok.output().contains("configuration OK"), ok.output());
    }
    Files.writeString(dir.resolve("config.toml"), "[server]\nlisen = \"0.0.0.0:5000\"\n");
    try (DaemonProcess bad = DaemonProcess.daemon(dir.resolve("config.toml"), "--check-config")) {
      assertEquals(1, bad.exitCode(Duration.ofSeconds(30)));
      assertEquals("securecmdd: " + dir.resolve("config.toml") + ":2: [server] lisen is not a known key; expected one of "
          + "listen, handshake_timeout, idle_timeout, max_connections, max_line_bytes, max_requests_per_connection, "
          + "shutdown_timeout, request_timeout, write_timeout, max_connection_age, max_connections_per_identity, "
          + "max_handshakes_per_address, proxy_protocol", bad.output().strip());
    }
  }

  @Test
  void brokenConfigRefusesToStartWithOneLine() throws Exception {
    TestDaemon.start(dir, TestDaemon.config("", "")).close();
    Files.setPosixFilePermissions(dir.resolve("server.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    try (DaemonProcess p = DaemonProcess.daemon(dir.resolve("config.toml"))) {
      assertEquals(1, p.exitCode(Duration.ofSeconds(30)));
      String out = p.output().strip();
      assertEquals(1, out.lines().count(), "exactly one line: " + out);
      assertTrue(out.startsWith("securecmdd: " + dir.resolve("config.toml") + ":7: [tls] private_key = \""), out);
      assertTrue(out.contains("is accessible by all users (mode rw-r--r--)"), out);
    }
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
