package org.securecmd.daemon.systemd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real socket activation: {@link AdoptMain} runs under systemd-socket-activate, which binds the
 * sockets, waits for the first connection, then execs the child with LISTEN_FDS set.
 */
class SocketActivationTest {
  private static final Path ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");
  private static final long WAIT_SECONDS = 60;

  @TempDir Path dir;
  private Process process;
  private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> stderr = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Test
  void adoptsTcpListenerAndStdoutSurvivesClose() throws Exception {
    var address = new InetSocketAddress("127.0.0.1", freePort());
    start(List.of("-l", "127.0.0.1:" + address.getPort(), "--fdname=main"), "main");
    assertEquals("adopted main", request(address));
    assertEquals("names [main]", line(stdout, "names"));
    assertEquals("adopted main at /127.0.0.1:" + address.getPort(), line(stdout, "adopted"));
    assertEquals("closed false", line(stdout, "closed"));
    assertExitsNormally();
  }

  @Test
  void adoptsUnixListener() throws Exception {
    Path socket = dir.resolve("admin.sock");
    start(List.of("-l", socket.toString(), "--fdname=admin"), "admin");
    assertEquals("adopted admin", request(UnixDomainSocketAddress.of(socket)));
    assertEquals("adopted admin at " + socket, line(stdout, "adopted"));
    assertEquals("closed false", line(stdout, "closed"));
    assertExitsNormally();
  }

  @Test
  void secondSocketIsRefusedWithExplanationAndFirstStillWorks() throws Exception {
    var address = new InetSocketAddress("127.0.0.1", freePort());
    Path socket = dir.resolve("admin.sock");
    start(List.of("-l", "127.0.0.1:" + address.getPort(), "-l", socket.toString(),
        "--fdname=main:admin"), "main", "admin", "other");
    assertEquals("adopted main", request(address));
    assertEquals("names [main, admin]", line(stdout, "names"));
    assertEquals("failed admin: cannot adopt socket \"admin\" (fd 4): the JDK turns only one"
        + " inherited socket per process into a channel, and one was already adopted;"
        + " bind this one from the configuration instead", line(stdout, "failed"));
    assertEquals("absent other", line(stdout, "absent"));
    assertEquals("closed false", line(stdout, "closed"));
    assertExitsNormally();
  }

  private void start(List<String> activateOptions, String... names) throws Exception {
    assumeTrue(Files.isExecutable(ACTIVATE), ACTIVATE + " is not installed");
    List<String> command = new ArrayList<>();
    command.add(ACTIVATE.toString());
    command.addAll(activateOptions);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), AdoptMain.class.getName()));
    command.addAll(List.of(names));
    process = new ProcessBuilder(command).start();
    pump(process.getInputStream(), stdout);
    pump(process.getErrorStream(), stderr);
    // systemd-socket-activate reports each bound socket before waiting for a connection.
    for (int i = 0; i < activateOptions.stream().filter("-l"::equals).count(); i++) {
      line(stderr, "Listening on");
    }
  }

  private static void pump(InputStream in, BlockingQueue<String> lines) {
    Thread.ofPlatform().daemon().start(() -> {
      try (var reader = new BufferedReader(new InputStreamReader(in, UTF_8))) {
        for (String l; (l = reader.readLine()) != null; ) lines.add(l);
      } catch (IOException e) {
        lines.add("pump failed: " + e);
      }
    });
  }

  /** The next line starting with {@code prefix}, skipping others (logging); bounded wait. */
  private String line(BlockingQueue<String> lines, String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    List<String> skipped = new ArrayList<>();
    while (true) {
      String l = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (l == null) {
        fail("no line starting with \"" + prefix + "\"; skipped " + skipped
            + "; stderr so far " + List.copyOf(stderr));
      }
      if (l.startsWith(prefix)) return l;
      skipped.add(l);
    }
  }

  /** Connects (which makes systemd-socket-activate start the child) and reads its one line. */
  private static String request(SocketAddress address) throws IOException {
    try (SocketChannel channel = SocketChannel.open(address)) {
      // The child needs a JVM start before it answers; the read blocks until then or EOF.
      var reply = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(256);
      while (channel.read(buffer.clear()) > 0) reply.write(buffer.array(), 0, buffer.position());
      return reply.toString(UTF_8).strip();
    }
  }

  private void assertExitsNormally() throws InterruptedException {
    assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "child did not exit");
    assertEquals(0, process.exitValue(), "exit status; stderr " + List.copyOf(stderr));
  }

  private static int freePort() throws IOException {
    try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

}
