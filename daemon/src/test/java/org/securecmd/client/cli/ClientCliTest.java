package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.TestDaemon;
import org.securecmd.tls.TestPki;

/**
 * {@code securecmd-client} against a real daemon: stdout, stderr and the documented exit codes. It sits in
 * the daemon module, in the CLI's own package, because it needs a running daemon and the client module
 * cannot depend on the daemon (the daemon depends on the client); the CLI's parsing tests stay with the
 * client.
 */
class ClientCliTest {
  @TempDir static Path dir;
  static TestDaemon daemon;
  static String ca;
  static String cert;
  static String key;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    String commands = "[commands.ADMIN_ONLY]\nreply = \"x\"\nallow = [\"admin-*\"]";
    daemon = TestDaemon.start(dir, TestDaemon.config("", commands));
    Path[] files = daemon.device.write(dir, "device");
    ca = dir.resolve("ca.crt").toString();
    cert = files[0].toString();
    key = files[1].toString();
  }

  @AfterAll
  static void stop() throws Exception {
    daemon.close();
  }

  @Test
  void replyGoesToStdoutWithExitZero() throws Exception {
    Result r = run("--port", port(), "--ca", ca, "--cert", cert, "--key", key, "127.0.0.1");
    assertEquals(new Result(0, "THIS_IS_THE_SECRET\n", ""), r, "GET_SECRET is the default command");
    assertEquals("PONG\n", run("--port", port(), "--ca", ca, "--cert", cert, "--key", key, "127.0.0.1", "PING").out());
  }

  @Test
  void errReplyExitsOneWithTheServersWords() throws Exception {
    Result r = run("--port", port(), "--ca", ca, "--cert", cert, "--key", key, "127.0.0.1", "ADMIN_ONLY");
    assertEquals(1, r.code());
    assertEquals("securecmd-client: server refused: ERR FORBIDDEN not allowed for this client\n", r.err());
    assertEquals(1, run("--port", port(), "--ca", ca, "--cert", cert, "--key", key, "127.0.0.1", "NOPE").code());
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    assertEquals(2, run().code());
    assertTrue(run().err().startsWith("securecmd-client: missing HOST\nusage:"));
    assertTrue(run("--cert", cert, "127.0.0.1").err().startsWith("securecmd-client: --cert and --key go together"));
    assertEquals(2, run("--port", "70000", "127.0.0.1").code());
    assertTrue(run("--bogus", "127.0.0.1").err().startsWith("securecmd-client: unknown option --bogus"));
    assertEquals(0, run("--help").code());
  }

  @Test
  void certificateFailuresExitThreeAndSayWhichCheckFailed() throws Exception {
    Path otherCa = new TestPki("Other").writeRoot(dir.resolve("other-ca.crt"));
    Result unknownCa = run("--port", port(), "--ca", otherCa.toString(), "--cert", cert, "--key", key, "127.0.0.1");
    assertEquals(new Result(3, "", "securecmd-client: unknown CA: the server certificate is not signed by a trusted CA\n"),
        unknownCa);
    Result noCert = run("--port", port(), "--ca", ca, "127.0.0.1");
    assertEquals(new Result(3, "", "securecmd-client: client certificate required by the server\n"), noCert);
    Result missingCa = run("--port", port(), "--ca", dir.resolve("nope.pem").toString(), "127.0.0.1");
    assertEquals(3, missingCa.code());
    assertTrue(missingCa.err().contains("cannot load TLS files: no such file"), missingCa.err());
  }

  @Test
  void networkFailureExitsFour() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Result r = run("--port", Integer.toString(closedPort), "--ca", ca, "127.0.0.1");
    assertEquals(4, r.code());
    assertTrue(r.err().startsWith("securecmd-client: cannot connect to 127.0.0.1:" + closedPort), r.err());
  }

  private static String port() throws Exception {
    return Integer.toString(daemon.port());
  }

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> a = new ArrayList<>(List.of(args));
    int code = Main.run(a.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
