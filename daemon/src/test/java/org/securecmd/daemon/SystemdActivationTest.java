package org.securecmd.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.systemd.DatagramReceiver;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;

/**
 * The real daemon ({@link Main} in a new JVM) under systemd-socket-activate: it adopts the socket named
 * "main", sends READY=1 on a test notify socket once it serves, RELOADING=1/READY=1 around SIGHUP,
 * STOPPING=1 on SIGTERM, exits 0, and refuses a socket with another name.
 */
class SystemdActivationTest {
  private static final Path ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");
  private static final long WAIT_SECONDS = 60;

  @TempDir Path dir;
  private Process process;
  private final BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
  private TestPki pki;
  private TestPki.Issued device;

  @AfterEach
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Test
  void adoptsMainSocketNotifiesReadyReloadingStoppingAndExitsZero() throws Exception {
    int port = freePort();
    writeConfig(TestDaemon.config("", ""));
    try (DatagramReceiver notify = new DatagramReceiver(dir.resolve("notify.sock").toString(),
        Duration.ofSeconds(WAIT_SECONDS))) {
      start(List.of("-l", "127.0.0.1:" + port, "--fdname=main", "-E", "NOTIFY_SOCKET=" + dir.resolve("notify.sock"),
          "-E", "WATCHDOG_USEC=600000000"));
      // systemd-socket-activate starts the daemon on the first connection; the handshake waits for it.
      try (Connection first = client().connect("127.0.0.1", port)) {
        assertEquals("THIS_IS_THE_SECRET", first.send("GET_SECRET").text());
      }
      assertEquals("READY=1", next(notify, "READY=1"));
      assertTrue(next(notify, "STATUS=").matches(
          "STATUS=generation 1, [0-9]+ connections open, [01] accepted, [01] requests"), "one-line status");
      assertEquals("WATCHDOG=1", next(notify, "WATCHDOG=1"));
      Ctl ctl = new Ctl(dir.resolve("admin.sock"));
      Ctl.Result status = ctl.run("status");
      assertEquals(0, status.code(), status.toString());
      assertTrue(status.out().contains("listener:    systemd socket \"main\""), status.out());

      Files.writeString(dir.resolve("config.toml"),
          Files.readString(dir.resolve("config.toml")).replace("THIS_IS_THE_SECRET", "ROTATED"));
      signal("HUP");
      assertTrue(next(notify, "RELOADING=1").matches("RELOADING=1\nMONOTONIC_USEC=[0-9]+"));
      assertEquals("READY=1", next(notify, "READY=1"));
      assertTrue(next(notify, "STATUS=").matches("STATUS=generation 2, .*; last reload OK at [0-9T:.Z-]+"));
      assertEquals("ROTATED", send(port, "GET_SECRET"));

      Files.writeString(dir.resolve("config.toml"), "[server]\nlisten = 5\n");
      signal("HUP");
      next(notify, "RELOADING=1");
      assertEquals("READY=1", next(notify, "READY=1"));
      String failedStatus = next(notify, "STATUS=");
      assertTrue(failedStatus.matches("STATUS=generation 2, .*; last reload FAILED at [0-9T:.Z-]+: "
          + java.util.regex.Pattern.quote(dir.resolve("config.toml").toString()) + ":2: .*"), failedStatus);
      assertEquals("ROTATED", send(port, "GET_SECRET"), "a broken reload keeps the old generation");
      Ctl.Result afterHup = ctl.run("status");
      assertTrue(afterHup.out().contains("last reload: FAILED at "), "a SIGHUP's outcome is in status too: " + afterHup);

      signal("TERM");
      assertEquals("STOPPING=1", next(notify, "STOPPING=1"));
      assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
      assertEquals(0, process.exitValue(), "exit status; stderr " + List.copyOf(stderr));
      assertFalse(Files.exists(dir.resolve("admin.sock")), "admin socket removed on stop");
      String log = String.join("\n", stderr);
      assertTrue(log.contains("reload failed, generation 2 keeps serving: " + dir.resolve("config.toml")), log);
      assertFalse(log.contains("restricted method"), "no native-access warning: " + log);
      assertTrue(log.contains("stopped"), log);
    }
  }

  @Test
  void adoptsAdminSocketAsWellWhenSystemdPassesOneNamedAdmin() throws Exception {
    int port = freePort();
    // [admin] socket names another path: a working admin.sock proves the passed socket is served.
    writeConfig(TestDaemon.config("", "").replace("socket = \"admin.sock\"", "socket = \"bound-admin.sock\""));
    Path passed = dir.resolve("admin.sock");
    start(List.of("-l", "127.0.0.1:" + port, "-l", passed.toString(), "--fdname=main:admin"));
    assertEquals("THIS_IS_THE_SECRET", send(port, "GET_SECRET"));
    Ctl.Result status = new Ctl(passed).run("status");
    assertEquals(0, status.code(), status + "\nstderr " + List.copyOf(stderr));
    assertTrue(status.out().contains("listener:    systemd socket \"main\""), status.out());
    assertFalse(Files.exists(dir.resolve("bound-admin.sock")), "nothing bound from [admin] socket");
    signal("TERM");
    assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
    assertEquals(0, process.exitValue(), "exit status; stderr " + List.copyOf(stderr));
    String log = String.join("\n", stderr);
    assertTrue(log.contains("serving on systemd socket \"main\", admin socket systemd socket \"admin\""), log);
    assertTrue(Files.exists(passed), "the passed socket's path belongs to whoever passed it");
  }

  @Test
  void servesMetricsOnTheSocketNamedMetricsInsteadOfMetricsListen() throws Exception {
    int port = freePort();
    int metrics = freePort();
    int configured = freePort();
    writeConfig(TestDaemon.config("", "[metrics]\nlisten = \"127.0.0.1:" + configured + "\"\n"));
    start(List.of("-l", "127.0.0.1:" + port, "-l", "127.0.0.1:" + metrics, "--fdname=main:metrics"));
    assertEquals("THIS_IS_THE_SECRET", send(port, "GET_SECRET"));
    String scrape = httpGet(metrics, "/metrics");
    assertTrue(scrape.startsWith("HTTP/1.1 200"), scrape);
    assertTrue(scrape.contains("\nsecurecmd_connections_accepted_total 1\n"), scrape);
    assertTrue(httpGet(metrics, "/other").startsWith("HTTP/1.1 404"));
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), configured), 2000);
      fail("[metrics] listen must not be bound when systemd passes a metrics socket");
    } catch (IOException refused) {
      // expected: nothing listens there
    }
    assertEquals("THIS_IS_THE_SECRET", send(port, "GET_SECRET"), "devices are still served");
    signal("TERM");
    assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
    assertEquals(0, process.exitValue(), "exit status; stderr " + List.copyOf(stderr));
    String log = String.join("\n", stderr);
    assertTrue(log.contains("metrics endpoint systemd socket \"metrics\" ready"), log);
  }

  private static String httpGet(int port, String path) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(UTF_8));
      return new String(s.getInputStream().readAllBytes(), UTF_8);
    }
  }

  @Test
  void saysSoWhenStartedWithSighupIgnored() throws Exception {
    int port = freePort();
    writeConfig(TestDaemon.config("", ""));
    start(List.of("env", "--ignore-signal=HUP"), List.of("-l", "127.0.0.1:" + port, "--fdname=main"));
    assertEquals("THIS_IS_THE_SECRET", send(port, "GET_SECRET"));
    signal("TERM");
    assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
    String log = String.join("\n", stderr);
    assertTrue(log.contains("SIGHUP is ignored in this process (it was started with SIGHUP ignored, e.g. by nohup): "
        + "reload with securecmdctl reload"), log);
  }

  @Test
  void refusesSocketsWithOtherNamesWithExplanation() throws Exception {
    int port = freePort();
    writeConfig(TestDaemon.config("", ""));
    start(List.of("-l", "127.0.0.1:" + port, "-l", dir.resolve("x.sock").toString(), "--fdname=main:other"));
    try (Socket trigger = new Socket(InetAddress.getLoopbackAddress(), port)) {
      assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "daemon did not exit");
    }
    assertEquals(1, process.exitValue());
    String log = String.join("\n", stderr);
    assertTrue(log.contains("securecmdd: cannot start: systemd passed sockets named [main, other]; securecmdd"
        + " serves only \"main\" (TCP), \"admin\" (the admin UNIX socket) and \"metrics\" (TCP, the Prometheus"
        + " endpoint): set FileDescriptorName= accordingly in securecmd.socket"), log);
  }

  private void writeConfig(String config) throws IOException {
    pki = new TestPki("Test");
    TestPki.Issued server = pki.issue(TestPki.spec("127.0.0.1").ip("127.0.0.1").serverAuth());
    device = pki.issue(TestPki.spec("trusted-client").clientAuth());
    server.write(dir, "server");
    pki.writeRoot(dir.resolve("ca.crt"));
    Files.writeString(dir.resolve("config.toml"), config);
  }

  private SecureCmdClient client() throws Exception {
    return new SecureCmdClient(new HandshakeSetup.Builder().addTrustedCertificate(pki.rootCertificate())
        .certifiedKey(device.certifiedKey()).build(), Duration.ofSeconds(WAIT_SECONDS));
  }

  private String send(int port, String request) throws Exception {
    try (Connection c = client().connect("127.0.0.1", port)) {
      return c.send(request).text();
    }
  }

  private void start(List<String> activateOptions) throws IOException, InterruptedException {
    // SIGHUP as the daemon's default, whatever this test inherited (a run under nohup ignores it, and a JVM
    // started with a signal ignored keeps it ignored: a reload by signal would never come)
    start(List.of("env", "--default-signal=HUP"), activateOptions);
  }

  /** Starts the daemon under systemd-socket-activate, which runs under {@code prefix} (a command and its options). */
  private void start(List<String> prefix, List<String> activateOptions) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(ACTIVATE), ACTIVATE + " is not installed (Debian package systemd)");
    List<String> command = new ArrayList<>(prefix);
    command.add(ACTIVATE.toString());
    command.addAll(activateOptions);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config",
        dir.resolve("config.toml").toString()));
    process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    pump(process.getErrorStream(), stderr);
    for (int i = 0; i < activateOptions.stream().filter("-l"::equals).count(); i++) line("Listening on");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    assertTrue(kill.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name);
  }

  /** The next notify message starting with {@code prefix}, skipping others (STATUS=, WATCHDOG=). */
  private String next(DatagramReceiver notify, String prefix) throws IOException {
    List<String> skipped = new ArrayList<>();
    // bounded as a whole: STATUS= every 10 s and WATCHDOG=1 would otherwise keep each receive from timing out
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      if (System.nanoTime() - until > 0) {
        fail("no notify message starting with " + prefix + " within " + WAIT_SECONDS + " s; skipped " + skipped
            + "; stderr " + List.copyOf(stderr));
      }
      String m;
      try {
        m = new String(notify.receive(), UTF_8);
      } catch (IOException e) {
        fail("no notify message starting with " + prefix + " within " + WAIT_SECONDS + " s; skipped " + skipped
            + "; stderr " + List.copyOf(stderr), e);
        throw e;
      }
      if (m.startsWith(prefix)) return m;
      skipped.add(m);
    }
  }

  private String line(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    List<String> skipped = new ArrayList<>();
    while (true) {
      String l = stderr.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (l == null) fail("no stderr line starting with \"" + prefix + "\"; skipped " + skipped);
      if (l.startsWith(prefix)) {
        stderr.addAll(skipped);
        return l;
      }
      skipped.add(l);
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

  private static int freePort() throws IOException {
    try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }
}
