package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;

/**
 * Hostile peers as reusable steps: each behaves badly against a {@link TestDaemon} in one bounded way and
 * asserts what the daemon must do about it. {@link HostileInputTest} runs them one by one;
 * {@link RobustnessTest} runs them all at once next to a well-behaved client.
 */
final class HostilePeers {
  private HostilePeers() {}

  /** An authenticated client sends 1 MiB without a newline: LINE_TOO_LONG, then the connection closes. */
  static void megabyteWithoutNewline(TestDaemon d) throws Exception {
    try (SSLSocket s = MutualTlsTest.rawClient(d, d.device)) {
      byte[] chunk = new byte[16 * 1024];
      Arrays.fill(chunk, (byte) 'A');
      try {
        for (int i = 0; i < 64; i++) s.getOutputStream().write(chunk);
        s.getOutputStream().flush();
      } catch (IOException closedEarly) {
        // the server may close before we finish writing: that is the point
      }
      assertEquals("ERR LINE_TOO_LONG line longer than 1024 bytes", HostileInputTest.readLine(s.getInputStream()));
    }
  }

  /** A line of NUL bytes, then invalid UTF-8: BAD_REQUEST each, and the connection goes on. */
  static void nulAndInvalidUtf8(TestDaemon d) throws Exception {
    try (SSLSocket s = MutualTlsTest.rawClient(d, d.device)) {
      OutputStream out = s.getOutputStream();
      byte[] nul = new byte[1001];
      nul[1000] = '\n';
      out.write(nul);
      out.write(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) 0xC0, (byte) 0x80, '\n'});
      out.write("PING\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertEquals("ERR BAD_REQUEST control character in request", HostileInputTest.readLine(s.getInputStream()));
      assertEquals("ERR BAD_REQUEST request is not valid UTF-8", HostileInputTest.readLine(s.getInputStream()));
      assertEquals("PONG", HostileInputTest.readLine(s.getInputStream()));
    }
  }

  /** Bytes that are not TLS on the TLS port (an HTTP request, a bare request line): dropped, nothing leaks. */
  static void plaintext(TestDaemon d, String text) throws Exception {
    try (Socket plain = new Socket("127.0.0.1", d.port())) {
      plain.setSoTimeout(10_000);
      plain.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      String answer = new String(readAll(plain.getInputStream()), StandardCharsets.ISO_8859_1);
      assertFalse(answer.contains("THIS_IS_THE_SECRET"), answer);
      assertFalse(answer.contains("HTTP/"), "no protocol sniffing: " + answer);
    }
  }

  /** A TLS handshake record header followed by random bytes: the daemon drops the connection. */
  static void randomClientHello(TestDaemon d, long seed) throws Exception {
    Random random = new Random(seed);
    byte[] body = new byte[512];
    random.nextBytes(body);
    try (Socket s = new Socket("127.0.0.1", d.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00}); // handshake record, 512 bytes
      out.write(body);
      out.flush();
      assertTrue(readAll(s.getInputStream()).length <= 64, "at most an alert, then the end");
    }
  }

  /** Connects and never sends, or stops half-way through a ClientHello: cut at the handshake timeout. */
  static void stall(TestDaemon d, boolean partialHello) throws Exception {
    try (Socket s = new Socket("127.0.0.1", d.port())) {
      s.setSoTimeout(15_000);
      if (partialHello) s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
      assertTrue(readAll(s.getInputStream()).length <= 64, "disconnected by the handshake timeout");
    }
  }

  /**
   * A client that only offers TLS 1.0 and 1.1, in its own JVM (enabling them there touches no other test's
   * security properties). Returns what it printed; the daemon must refuse with protocol_version.
   */
  static String legacyTlsClient(TestDaemon d) throws Exception {
    DaemonProcess client = DaemonProcess.start(LegacyTlsClient.class.getName(), "127.0.0.1",
        Integer.toString(d.port()));
    try {
      String line = client.await(l -> l.startsWith("HANDSHAKE "), Duration.ofSeconds(30), "a handshake result");
      assertEquals(0, client.exitCode(Duration.ofSeconds(10)), client.output());
      assertTrue(line.startsWith("HANDSHAKE FAILED"), line);
      assertTrue(line.contains("protocol_version"), "refused by the server as protocol_version: " + line);
      return line;
    } finally {
      client.close();
    }
  }

  /**
   * Sends requests without ever reading a reply. The daemon answers each request in turn and blocks on a
   * full socket: it queues no replies, so it stops reading, and our writes block too. Returns how many bytes
   * got written before that (a small fraction of what we tried). {@code whileStuck} runs while the daemon's
   * connection is (most likely) blocked writing a reply.
   */
  static long requestsWithoutReadingReplies(TestDaemon d, Step whileStuck) throws Exception {
    return requestsWithoutReadingReplies(d, "PING\n".getBytes(StandardCharsets.UTF_8), whileStuck);
  }

  /** As above with {@code request} (one line, newline included) sent over and over. */
  static long requestsWithoutReadingReplies(TestDaemon d, byte[] request, Step whileStuck) throws Exception {
    long total = 32L << 20; // 32 MiB of requests: millions of them, and many times that in TLS-framed replies
    AtomicLong written = new AtomicLong();
    try (SSLSocket s = MutualTlsTest.rawClient(d, d.device)) {
      s.setReceiveBufferSize(16 * 1024);
      s.startHandshake();
      Thread writer = Thread.ofPlatform().name("no-reader").start(() -> {
        byte[] chunk = new byte[request.length * (8000 / request.length)]; // about 8000 bytes of requests
        for (int i = 0; i < chunk.length; i += request.length) System.arraycopy(request, 0, chunk, i, request.length);
        try {
          OutputStream out = s.getOutputStream();
          while (written.get() < total) {
            out.write(chunk);
            written.addAndGet(chunk.length);
          }
        } catch (IOException closed) {
          // the socket is closed under us at the end of the test
        }
      });
      // Bounded wait: a writer that got everything out would mean the daemon swallowed every request and
      // buffered every reply. One still blocked at the bound, or cut off by the daemon, is fine.
      writer.join(Duration.ofSeconds(5));
      long atBound = written.get();
      try {
        whileStuck.run();
      } finally {
        s.setSoLinger(true, 0); // else JSSE's close waits for our blocked writer, to send close_notify
        s.close();
        writer.join(Duration.ofSeconds(10));
      }
      assertTrue(atBound < total / 2, "requests were accepted without replies being read: " + atBound + " bytes");
      return atBound;
    }
  }

  /** A test step that may throw. */
  interface Step {
    void run() throws Exception;
  }

  /** Opens {@code n} TCP connections and drops them at once, half of them with a reset. */
  static void openAndDrop(TestDaemon d, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      try (Socket s = new Socket("127.0.0.1", d.port())) {
        if (i % 2 == 0) s.setSoLinger(true, 0);
      } catch (SocketException refusedWhileBusy) {
        // a full backlog refuses a connect now and then: that is a drop too
      }
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    try {
      return in.readAllBytes();
    } catch (SocketException | javax.net.ssl.SSLException e) {
      return new byte[0];
    }
  }

  /** Waits up to {@code bound} for {@code condition}, polling; false when it never held. */
  static boolean await(java.util.function.BooleanSupplier condition, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) return false;
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return true;
  }
}
