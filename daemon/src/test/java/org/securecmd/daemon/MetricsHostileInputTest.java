package org.securecmd.daemon;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile peers on the metrics port: a slow client, a huge request line, another path, many connections at
 * once. Each is cut within the endpoint's bounds (the JDK HTTP server's limits, set by HttpLimits: 16
 * connections, 8 KiB of request head, 10 s per request), holds no platform thread, and devices are served
 * over real mutual TLS all the while.
 */
class MetricsHostileInputTest {
  private static final String METRICS = "[metrics]\nlisten = \"127.0.0.1:0\"\n";
  /** The endpoint's request deadline (10 s, checked every second) plus slack for a loaded machine. */
  private static final int CUT_WITHIN_MILLIS = 30_000;

  @TempDir Path dir;

  private static Socket open(TestDaemon d) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), d.daemon.metricsAddress().orElseThrow().getPort());
    s.setSoTimeout(CUT_WITHIN_MILLIS);
    return s;
  }

  /** One scrape on a fresh connection: the status line and the body. */
  static String scrape(TestDaemon d, String path) throws IOException {
    try (Socket s = open(d)) {
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(US_ASCII));
      return new String(s.getInputStream().readAllBytes(), US_ASCII);
    }
  }

  /** Reads until the server closes; fails if it does not within the bound. Returns what it sent first. */
  private static String readUntilClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder got = new StringBuilder();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) got.append(new String(buf, 0, n, US_ASCII));
    } catch (SocketTimeoutException e) {
      fail("the metrics endpoint did not close the connection within " + CUT_WITHIN_MILLIS + " ms");
    } catch (IOException reset) {
      // a reset is a close too
    }
    return got.toString();
  }

  private static void assertDeviceServed(TestDaemon d) throws Exception {
    assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
  }

  @Test
  void aClientSendingOneByteAtATimeIsCutAtTheDeadlineWhileDevicesAndScrapesAreServed() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", METRICS))) {
      try (Socket slow = open(d); Socket silent = open(d)) {
        OutputStream out = slow.getOutputStream();
        out.write("GET /metr".getBytes(US_ASCII));
        out.flush();
        assertDeviceServed(d);
        assertTrue(scrape(d, "/metrics").startsWith("HTTP/1.1 200"), "a scrape is served beside the slow client");
        long start = System.nanoTime();
        String slowGot = readUntilClosed(slow);
        String silentGot = readUntilClosed(silent);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertFalse(slowGot.contains("securecmd_"), slowGot);
        assertFalse(silentGot.contains("securecmd_"), silentGot);
        assertTrue(millis < CUT_WITHIN_MILLIS, "cut after " + millis + " ms");
      }
      assertDeviceServed(d);
    }
  }

  @Test
  void aHugeRequestLineIsCutUnansweredAtEightKibibytes() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", METRICS))) {
      try (Socket s = open(d)) {
        OutputStream out = s.getOutputStream();
        long sent = 0;
        try {
          out.write("GET /".getBytes(US_ASCII));
          byte[] chunk = "a".repeat(16 * 1024).getBytes(US_ASCII);
          for (int i = 0; i < 64; i++) {  // 1 MiB without a line end
            out.write(chunk);
            sent += chunk.length;
          }
        } catch (IOException cutWhileWriting) {
          // the server closed before it all went out: the point
        }
        String got = readUntilClosed(s);
        assertFalse(got.contains("200 OK"), got);
        assertFalse(got.contains("aaaa"), "nothing is echoed: " + got);
        assertTrue(sent <= 1024 * 1024, "sent " + sent);
      }
      assertDeviceServed(d);
      assertTrue(scrape(d, "/metrics").startsWith("HTTP/1.1 200"));
    }
  }

  @Test
  void anotherPathIs404AndServesNoMetrics() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", METRICS))) {
      for (String path : List.of("/", "/admin", "/metrics/../admin.sock", "/api/v1/query?query=up")) {
        String got = scrape(d, path);
        assertTrue(got.startsWith("HTTP/1.1 404") || got.startsWith("HTTP/1.1 400"), path + ": " + got);
        assertFalse(got.contains("securecmd_"), got);
      }
      assertDeviceServed(d);
    }
  }

  @Test
  void manyConnectionsAtOnceAreCutBeyondTheLimitHoldNoThreadsAndDevicesKeepBeingServed() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", METRICS))) {
      assertTrue(scrape(d, "/metrics").startsWith("HTTP/1.1 200"));
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      List<Socket> flood = new ArrayList<>();
      try {
        for (int i = 0; i < 200; i++) flood.add(open(d));
        for (Socket s : flood) s.getOutputStream().write("GET /metrics HTTP/1.1\r\n".getBytes(US_ASCII));
        assertDeviceServed(d);
        int platformThreads = ManagementFactory.getThreadMXBean().getThreadCount();
        assertTrue(platformThreads - threadsBefore < 10,
            "200 half-sent requests must not take platform threads: " + threadsBefore + " -> " + platformThreads);
        // Beyond the 16 the endpoint takes, connections are closed as soon as they are accepted; the
        // 16 it took are closed at the request deadline. Either way every one ends, unanswered.
        int cut = 0;
        for (Socket s : flood) {
          String got = readUntilClosed(s);
          assertFalse(got.contains("securecmd_"), got);
          cut++;
        }
        assertEquals(200, cut);
      } finally {
        for (Socket s : flood) s.close();
      }
      assertDeviceServed(d);
      assertTrue(scrape(d, "/metrics").startsWith("HTTP/1.1 200"), "scrapes are served again after the flood");
    }
  }
}
