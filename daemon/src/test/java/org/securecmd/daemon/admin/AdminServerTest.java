package org.securecmd.daemon.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.server.Threads;

/** The admin socket's framing and limits, with a stand-in for the requests. */
class AdminServerTest {
  @TempDir Path dir;
  private AdminServer server;
  private Path socket;
  private final CountDownLatch release = new CountDownLatch(1);
  private CountDownLatch holding;

  @BeforeEach
  void start() throws IOException {
    // The admin group is this process's own group, so the peer check admits the test whoever runs it.
    GroupPrincipal own = Files.readAttributes(Files.createFile(dir.resolve("probe")), PosixFileAttributes.class).group();
    socket = dir.resolve("run/admin.sock");
    server = AdminServer.bind(socket, own.getName(), new PeerCheck(own.getName(), g -> new GroupLookup.Missing()), line -> {
      if (line.equals("hold")) {
        holding.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (line.equals("boom")) throw new IllegalStateException("bug");
      Map<String, Object> m = AdminRequests.ok();
      m.put("echo", line);
      return m;
    }, new Threads(Thread.ofPlatform().factory(), Thread.ofVirtual().factory(),
        Executors.newSingleThreadScheduledExecutor()));  // the server shuts the timer down on close
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
  }

  private String request(String raw) throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ch.write(ByteBuffer.wrap(raw.getBytes(UTF_8)));
      return new String(Channels.newInputStream(ch).readAllBytes(), UTF_8);
    }
  }

  @Test
  void oneLineInOneJsonLineOut() throws IOException {
    assertEquals("{\"ok\":true,\"echo\":\"status\"}\n", request("status\n"));
    assertEquals("{\"ok\":true,\"echo\":\"status\"}\n", request("status\r\n"));
    assertEquals("{\"ok\":true,\"echo\":\"é ünïcode\"}\n", request("é ünïcode\n"));
  }

  @Test
  void aRequestLineIsLoggedThroughTheLogSanitiser() throws IOException {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AdminServer.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      request("revoke dev\u009b2J\u2028x\n"); // a name copied from a device's certificate, say
    } finally {
      logger.detachAppender(lines);
    }
    String line = lines.list.stream().map(e -> e.getFormattedMessage()).filter(m -> m.contains("admin request"))
        .findFirst().orElseThrow(() -> new AssertionError(lines.list.toString()));
    assertTrue(line.endsWith(": revoke dev\\x9b2J\\u2028x"), line);
  }

  @Test
  void parentDirectoryIsCreatedAndSocketIsMode0660() throws IOException {
    assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(socket)));
  }

  @Test
  void overlongLineIsRefused() throws IOException {
    assertEquals("{\"ok\":false,\"error\":\"BAD_REQUEST\",\"message\":\"request longer than 4096 bytes\"}\n",
        request("x".repeat(5000) + "\n"));
  }

  @Test
  void failingHandlerIsAnInternalErrorAndTheServerGoesOn() throws IOException {
    assertEquals("{\"ok\":false,\"error\":\"INTERNAL\",\"message\":\"internal error: java.lang.IllegalStateException:"
        + " bug\"}\n", request("boom\n"));
    assertEquals("{\"ok\":true,\"echo\":\"after\"}\n", request("after\n"));
  }

  @Test
  void moreThanMaxClientsAtOnceGetBusyThenServiceResumes() throws Exception {
    holding = new CountDownLatch(AdminServer.MAX_CLIENTS);
    List<SocketChannel> held = new ArrayList<>();
    try {
      for (int i = 0; i < AdminServer.MAX_CLIENTS; i++) {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        ch.write(ByteBuffer.wrap("hold\n".getBytes(UTF_8)));
        held.add(ch);
      }
      assertTrue(holding.await(60, TimeUnit.SECONDS), "the held requests did not all start");
      assertEquals("{\"ok\":false,\"error\":\"BUSY\",\"message\":\"too many admin requests at once; try again\"}\n",
          request("status\n"));
      release.countDown();
      for (SocketChannel ch : held) {
        assertEquals("{\"ok\":true,\"echo\":\"hold\"}\n", new String(Channels.newInputStream(ch).readAllBytes(), UTF_8));
      }
    } finally {
      for (SocketChannel ch : held) ch.close();
    }
    assertEquals("{\"ok\":true,\"echo\":\"status\"}\n", request("status\n"));
  }

  @Test
  void closeRemovesTheSocketFile() {
    server.close();
    assertTrue(Files.notExists(socket));
  }
}
