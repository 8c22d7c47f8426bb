package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.admin.Json;
import org.securecmd.protocol.Reply;

/** securecmdctl against a real daemon: every subcommand, reload, revocation, persistence, concurrency. */
class AdminSocketTest {
  @TempDir Path dir;
  private TestDaemon d;
  private Daemon.Started restarted;

  @AfterEach
  void stop() throws InterruptedException {
    if (restarted != null) restarted.stop();
    if (d != null) d.close();
  }

  private Ctl start(String config) throws Exception {
    d = TestDaemon.start(dir, config);
    return new Ctl(d.daemon.adminSocket());
  }

  private Ctl start() throws Exception {
    return start(TestDaemon.config("", ""));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Ctl.Result r) {
    return (Map<String, Object>) Json.parse(r.out().strip());
  }

  @Test
  void adminSocketIsGroupOnlyMode0660() throws Exception {
    Ctl ctl = start();
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(ctl.socket())));
  }

  @Test
  void statusShowsVersionGenerationListenerCountersAndCertificateExpiry() throws Exception {
    Ctl ctl = start();
    assertEquals("PONG", d.send(d.device, "PING").text());
    Ctl.Result human = ctl.run("status");
    assertEquals(0, human.code(), human.toString());
    assertTrue(human.out().contains("generation:  1"), human.out());
    assertTrue(human.out().contains("listener:    bound 127.0.0.1:0"), human.out());
    assertTrue(human.out().contains("certificate: CN=127.0.0.1"), human.out());
    assertTrue(human.out().contains("client CA:"), human.out());
    Map<String, Object> j = json(ctl.run("--json", "status"));
    assertEquals(true, j.get("ok"));
    assertEquals(1L, j.get("generation"));
    assertEquals(1L, j.get("requests"));
    assertEquals(dir.resolve("config.toml").toString(), j.get("config"));
    assertEquals(d.server.certificate().getNotAfter().toInstant().toString(),
        ((Map<?, ?>) j.get("server_certificate")).get("not_after"));
  }

  @Test
  void connectionsListsOpenConnectionAndDisconnectClosesIt() throws Exception {
    Ctl ctl = start();
    try (Connection c = d.connect(d.device)) {
      assertEquals("PONG", c.send("PING").text());
      Map<String, Object> j = json(ctl.run("--json", "connections"));
      List<?> list = (List<?>) j.get("connections");
      assertEquals(1, list.size(), j.toString());
      Map<?, ?> info = (Map<?, ?>) list.getFirst();
      assertEquals("trusted-client", info.get("identity"));
      assertEquals(1L, info.get("requests"));
      Ctl.Result human = ctl.run("connections");
      assertTrue(human.out().contains("trusted-client"), human.out());
      assertTrue(human.out().contains("1 connection(s)"), human.out());

      Ctl.Result r = ctl.run("disconnect", String.valueOf(info.get("id")));
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().startsWith("disconnected " + info.get("id") + " (trusted-client from 127.0.0.1:"), r.out());
      Reply refusal = c.send("PING"); // the unprompted line, read in place of PONG
      assertEquals("ERR FORBIDDEN disconnected by the operator", refusal.line());
      assertThrows(ClientException.class, () -> c.send("PING"), "the connection was closed by disconnect");
    }
    Ctl.Result missing = ctl.run("disconnect", "999");
    assertEquals(1, missing.code(), missing.toString());
    assertTrue(missing.err().contains("no open connection 999"), missing.err());
  }

  @Test
  void reloadAppliesTheNewGenerationToOpenConnectionsToo() throws Exception {
    Ctl ctl = start();
    try (Connection old = d.connect(d.device)) {
      assertEquals("THIS_IS_THE_SECRET", old.send("GET_SECRET").text());
      d.writeConfig(TestDaemon.config("", "").replace("THIS_IS_THE_SECRET", "ROTATED"));
      Ctl.Result r = ctl.run("reload");
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().contains("generation 2 serves every request; open connections re-checked"), r.out());
      assertEquals("ROTATED", d.send(d.device, "GET_SECRET").text());
      assertEquals("ROTATED", old.send("GET_SECRET").text(), "an open connection is answered by the new generation");
    }
    assertEquals(2L, d.daemon.generation().number());
  }

  @Test
  void reloadWithBrokenConfigKeepsServingAndReturnsExactError() throws Exception {
    Ctl ctl = start();
    String broken = TestDaemon.config("", "").replace("auth = \"required\"", "auth = \"requried\"");
    d.writeConfig(broken);
    int line = broken.lines().toList().indexOf("auth = \"requried\"") + 1;
    Ctl.Result r = ctl.run("reload");
    assertEquals(1, r.code(), r.toString());
    String expected = dir.resolve("config.toml") + ":" + line + ": [clients] auth = \"requried\": expected"
        + " \"required\", \"optional\" or \"none\"";
    assertEquals("securecmdctl: reload: " + expected + "\n", r.err());
    Map<String, Object> j = json(ctl.run("--json", "reload"));
    assertEquals("RELOAD_FAILED", j.get("error"));
    assertEquals(expected, j.get("message"));
    assertEquals(1L, j.get("generation"));
    assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text(), "the old generation still serves");
    assertEquals(1L, d.daemon.generation().number());
  }

  @Test
  void lastReloadOutcomeTimeAndErrorAreInStatusAndMetrics() throws Exception {
    Ctl ctl = start();
    assertEquals(null, json(ctl.run("--json", "status")).get("last_reload"), "no reload yet");
    assertTrue(ctl.run("status").out().contains("last reload: none since start\n"));
    assertTrue(ctl.run("metrics").out().contains("securecmd_last_reload_success 1\n"), "the start's load counts");

    String broken = TestDaemon.config("", "").replace("auth = \"required\"", "auth = \"requried\"");
    d.writeConfig(broken);
    java.time.Instant before = java.time.Instant.now().minusSeconds(1);
    assertEquals(1, ctl.run("reload").code());
    Map<?, ?> last = (Map<?, ?>) json(ctl.run("--json", "status")).get("last_reload");
    assertEquals(false, last.get("success"), last.toString());
    String error = (String) last.get("error");
    assertTrue(error.startsWith(dir.resolve("config.toml") + ":"), error);
    assertTrue(error.contains("[clients] auth = \"requried\""), error);
    java.time.Instant at = java.time.Instant.parse((String) last.get("time"));
    assertFalse(at.isBefore(before), at + " is before the reload");
    Ctl.Result human = ctl.run("status");
    assertTrue(human.out().contains("last reload: FAILED at " + at + ": " + error), human.out());
    String metrics = ctl.run("metrics").out();
    assertTrue(metrics.contains("securecmd_last_reload_success 0\n"), metrics);
    assertTrue(metrics.contains("securecmd_last_reload_timestamp_seconds " + at.getEpochSecond() + "\n"), metrics);
    assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text(), "the old generation still serves");

    d.writeConfig(TestDaemon.config("", ""));
    assertEquals(0, ctl.run("reload").code());
    last = (Map<?, ?>) json(ctl.run("--json", "status")).get("last_reload");
    assertEquals(true, last.get("success"), last.toString());
    assertFalse(last.containsKey("error"), last.toString());
    assertTrue(ctl.run("status").out().contains("last reload: OK at " + last.get("time") + "\n"));
    assertTrue(ctl.run("metrics").out().contains("securecmd_last_reload_success 1\n"));
  }

  @Test
  void revokeClosesLiveConnectionAndPersistsAcrossRestart() throws Exception {
    Ctl ctl = start();
    try (Connection live = d.connect(d.device)) {
      assertEquals("PONG", live.send("PING").text());
      Ctl.Result r = ctl.run("revoke", "trusted-client");
      assertEquals(0, r.code(), r.toString());
      assertEquals("revoked identity trusted-client; closed 1 open connection(s)\n", r.out());
      assertEquals("ERR FORBIDDEN revoked by the operator", live.send("PING").line(), "the unprompted refusal");
      assertThrows(ClientException.class, () -> live.send("PING"), "the revoked device's connection was closed");
    }
    assertEquals("FORBIDDEN", d.send(d.device, "PING").errorCode());
    assertTrue(Files.readString(dir.resolve("state/revoked")).contains("identity trusted-client\tby="));
    SecureCmdClient client = d.client(d.device);
    d.close();
    d = null;

    restarted = TestDaemon.startOnLoopback(dir.resolve("config.toml"));
    assertEquals("FORBIDDEN", send(client, restarted.port(), "PING").errorCode(), "revocation survived a restart");
    Ctl after = new Ctl(restarted.adminSocket());
    assertTrue(after.run("revoked").out().matches("(?s)identity trusted-client  \\(\\S+@\\S+, 20.*"), "who and when are recorded");
    Ctl.Result un = after.run("unrevoke", "trusted-client");
    assertEquals(0, un.code(), un.toString());
    assertEquals("PONG", send(client, restarted.port(), "PING").text());
    assertEquals("the deny list is empty\n", after.run("revoked").out());
  }

  @Test
  void revokeBySerialClosesItsConnectionAndUnrevokeByThatSerial() throws Exception {
    Ctl ctl = start();
    String serial = d.device.certificate().getSerialNumber().toString(16);
    try (Connection live = d.connect(d.device)) {
      assertEquals("PONG", live.send("PING").text());
      Ctl.Result r = ctl.run("--json", "revoke", "--serial", serial.toUpperCase());
      assertEquals(0, r.code(), r.toString());
      assertEquals(1L, json(r).get("disconnected"));
      assertEquals("ERR FORBIDDEN revoked by the operator", live.send("PING").line(), "the unprompted refusal");
      assertThrows(ClientException.class, () -> live.send("PING"));
    }
    assertEquals(List.of(serial), json(ctl.run("--json", "revoked")).get("serials"));
    assertEquals("FORBIDDEN", d.send(d.device, "PING").errorCode());
    assertEquals(0, ctl.run("unrevoke", serial).code());
    assertEquals("PONG", d.send(d.device, "PING").text());
    Ctl.Result again = ctl.run("unrevoke", serial);
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.err().contains("is not on the deny list"), again.err());
    Ctl.Result bad = ctl.run("revoke", "--serial", "xyz");
    assertEquals(1, bad.code(), bad.toString());
    assertTrue(bad.err().contains("not a hex serial: xyz"), bad.err());
  }

  @Test
  void corruptDenyListStopsStartWithFileAndLine() throws Exception {
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(dir.resolve("state/revoked"), "identity a\nbanana split\n");
    var e = assertThrows(java.io.IOException.class, () -> start());
    assertEquals(dir.resolve("state/revoked") + ":2: \"banana split\": expected \"identity NAME\" or \"serial HEX\";"
        + " the deny list is corrupt (fix or remove it by hand)", e.getMessage());
    assertEquals("identity a\nbanana split\n", Files.readString(dir.resolve("state/revoked")), "left as it was");
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    Ctl ctl = start();
    assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
    assertEquals("UNKNOWN_COMMAND", d.send(d.device, "NOPE").errorCode());
    Ctl.Result r = ctl.run("metrics");
    assertEquals(0, r.code(), r.toString());
    String text = r.out();
    assertTrue(text.contains("# TYPE securecmd_requests_total counter\n"), text);
    assertTrue(text.contains("securecmd_requests_total{command=\"GET_SECRET\",result=\"OK\"} 1\n"), text);
    assertTrue(text.contains("securecmd_requests_total{command=\"_other\",result=\"UNKNOWN_COMMAND\"} 1\n"), text);
    assertTrue(text.contains("securecmd_handshakes_total{resumed=\"false\"} 2\n")
        || text.contains("securecmd_handshakes_total{resumed=\"true\"} 1\n"), text);
    assertTrue(text.contains("securecmd_request_duration_seconds_bucket{le=\"+Inf\"} 2\n"), text);
    assertTrue(text.contains("securecmd_request_duration_seconds_count 2\n"), text);
    assertTrue(text.contains("# TYPE securecmd_connections_open gauge\n"), text);
  }

  @Test
  void notRunningAndUsageErrorsHaveTheirExitCodes() throws Exception {
    Ctl.Result none = new Ctl(dir.resolve("nobody-here.sock")).run("status");
    assertEquals(3, none.code(), none.toString());
    assertTrue(none.err().startsWith("securecmdctl: securecmdd is not running"), none.err());
    Ctl ctl = start();
    assertEquals(2, ctl.run("frobnicate").code());
    assertEquals(2, ctl.run("disconnect").code());
    assertEquals(2, ctl.run().code());
    Ctl.Result bad = ctl.run("disconnect", "abc");
    assertEquals(1, bad.code(), bad.toString());
    assertTrue(bad.err().contains("disconnect needs a connection id"), bad.err());
    d.close();
    d = null;
    Ctl.Result gone = ctl.run("status");
    assertEquals(3, gone.code(), "the socket file is removed on stop: " + gone);
  }

  @Test
  void staleSocketIsReplacedButAFileIsNeverDeleted() throws Exception {
    Ctl ctl = start();
    d.close();
    d = null;
    // A daemon that died leaves its socket file behind; the next start replaces it.
    java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)
        .bind(java.net.UnixDomainSocketAddress.of(ctl.socket())).close();
    assertTrue(Files.exists(ctl.socket()));
    assertEquals(0, start().run("status").code());
    d.close();
    d = null;
    Files.writeString(dir.resolve("admin.sock"), "not a socket");
    var e = assertThrows(java.io.IOException.class, () -> start());
    assertEquals("admin socket " + dir.resolve("admin.sock") + " exists and is not a socket; check [admin] socket",
        e.getMessage());
    assertEquals("not a socket", Files.readString(dir.resolve("admin.sock")));
  }

  @Test
  void secondDaemonOnTheSameAdminSocketIsRefused() throws Exception {
    start();
    var e = assertThrows(java.io.IOException.class, () -> TestDaemon.start(dir, TestDaemon.config("", "")));
    assertEquals("admin socket " + dir.resolve("admin.sock") + " is in use: is another securecmdd running?",
        e.getMessage());
    assertEquals(0, new Ctl(dir.resolve("admin.sock")).run("status").code(), "the first daemon still serves");
  }

  @Test
  void configOptionFindsTheSocket() throws Exception {
    start();
    Ctl.Result r = Ctl.runRaw("--config", dir.resolve("config.toml").toString(), "revoked");
    assertEquals(0, r.code(), r.toString());
    assertEquals("the deny list is empty\n", r.out());
  }

  @Test
  void concurrentAdminClientsWhileUnderTlsLoad() throws Exception {
    Ctl ctl = start();
    int tlsClients = 6;
    int adminClients = 6;
    int rounds = 10;
    List<Callable<String>> tasks = new ArrayList<>();
    for (int i = 0; i < tlsClients; i++) {
      tasks.add(() -> {
        for (int k = 0; k < rounds; k++) {
          try (Connection c = d.connect(d.device)) {
            String s = c.send("GET_SECRET").text();
            if (!s.equals("THIS_IS_THE_SECRET")) return "TLS got " + s;
          }
        }
        return "ok";
      });
    }
    String[] subcommands = {"status", "connections", "metrics", "revoked"};
    for (int i = 0; i < adminClients; i++) {
      int n = i;
      tasks.add(() -> {
        for (int k = 0; k < rounds; k++) {
          Ctl.Result r = ctl.run(subcommands[(n + k) % subcommands.length]);
          if (r.code() != 0) return r.toString();
        }
        return "ok";
      });
    }
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<String>> results = pool.invokeAll(tasks, 120, TimeUnit.SECONDS);
      for (Future<String> f : results) {
        assertFalse(f.isCancelled(), "a client did not finish within 120 s");
        assertEquals("ok", f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals((long) tlsClients * rounds, d.daemon.metrics().requestCount());
  }

  private static Reply send(SecureCmdClient client, int port, String request) throws Exception {
    try (Connection c = client.connect("127.0.0.1", port)) {
      return c.send(request);
    }
  }
}
