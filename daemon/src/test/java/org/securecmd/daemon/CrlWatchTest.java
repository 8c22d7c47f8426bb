package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.daemon.admin.Json;
import org.securecmd.daemon.config.ListenAddress;
import org.securecmd.daemon.server.BoundListener;
import org.securecmd.daemon.systemd.SystemdEnvironment;
import org.securecmd.daemon.tls.CrlWatcher;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.TestPki;

/** The daemon loads a changed {@code [clients] crl} file by itself, by a reload's rules, and says how old it is. */
class CrlWatchTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  @TempDir Path dir;
  private TestDaemon fixture;
  private Daemon.Started daemon;
  private AuditCapture watcherLog;

  /** A daemon whose CRL file is {@code crl}, checked every 50 ms; devices from the fixture's PKI. */
  private void start(X509CRL crl) throws Exception {
    fixture = TestDaemon.start(dir, TestDaemon.config("", ""));
    fixture.close();
    writeCrl(crl);
    Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE",
        fixture.pki.intermediate().certificate().getEncoded()), StandardOpenOption.APPEND);
    Files.writeString(dir.resolve("config.toml"), TestDaemon.config("allow = [\"trusted-client\"]\ncrl = \"crl.pem\"", ""));
    watcherLog = new AuditCapture(CrlWatcher.class.getName());
    daemon = new Daemon(dir.resolve("config.toml"), Clock.systemUTC(), SystemdEnvironment.NONE, Duration.ofMillis(50))
        .start(c -> new BoundListener(new ListenAddress("127.0.0.1", 0)));
  }

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) daemon.stop();
    if (watcherLog != null) watcherLog.close();
  }

  @Test
  void aRevokingCrlWrittenLaterClosesTheHeldConnectionAndRefusesNewOnes() throws Exception {
    start(null);
    TestPki.Issued device = fixture.pki.issue(TestPki.spec("trusted-client").clientAuth());
    TestPki.Issued other = fixture.pki.issue(TestPki.spec("trusted-client").clientAuth());
    Connection held = connect(device);
    assertEquals("THIS_IS_THE_SECRET", held.send("GET_SECRET").text());
    try (Connection bystander = connect(other)) {
      assertEquals("PONG", bystander.send("PING").text());
      writeCrl(fixture.pki.crl(device));
      watcherLog.await(l -> l.contains("changed and was loaded: 1 revoked certificate(s)")
          && l.contains("closed 1 open connection(s)"), BOUND, "CRL loaded");
      // the policy-change hook: one unprompted ERR FORBIDDEN line, then the close
      Reply last = held.send("PING");
      assertEquals(ErrorCode.FORBIDDEN, last.code(), last.toString());
      assertEquals("certificate revoked (CRL)", last.text());
      assertThrows(Exception.class, () -> held.send("PING"), "the held connection was closed");
      assertEquals("PONG", bystander.send("PING").text(), "a device the CRL does not name stays connected");
    }
    try (Connection again = connect(device)) {
      Reply r = again.send("GET_SECRET");
      assertEquals(ErrorCode.FORBIDDEN, r.code());
      assertEquals("certificate revoked (CRL)", r.text());
    }
    assertEquals(1L, metric("securecmd_crl_last_load_success"));
  }

  @Test
  void aBadFileKeepsTheCrlInForceAndSaysWhyInLogStatusAndMetrics() throws Exception {
    start(null);
    TestPki.Issued device = fixture.pki.issue(TestPki.spec("trusted-client").clientAuth());
    writeCrl(fixture.pki.crl(device));
    watcherLog.await(l -> l.contains("changed and was loaded"), BOUND, "first CRL loaded");
    Files.writeString(dir.resolve("crl.pem"), "-----BEGIN X509 CRL-----\nnot base64 at all\n-----END X509 CRL-----\n");
    String error = watcherLog.await(l -> l.contains("changed but cannot be used"), BOUND, "refusal");
    assertTrue(error.contains("the CRL loaded before stays in force"), error);
    assertTrue(error.contains("[clients] crl = \"" + dir.resolve("crl.pem") + "\": block 1 of 1 is not a CRL (PEM or DER)"), error);
    assertEquals(0L, metric("securecmd_crl_last_load_success"));
    Map<?, ?> crl = (Map<?, ?>) status().get("crl");
    assertEquals(false, crl.get("last_load_ok"));
    assertTrue(String.valueOf(crl.get("last_error")).contains("not a CRL"), crl.toString());
    String human = new Ctl(daemon.adminSocket()).run("status").out();
    assertTrue(human.contains("CRL:         the changed file was NOT loaded (the CRL above stays in force): "), human);
    try (Connection c = connect(device)) {
      assertEquals(ErrorCode.FORBIDDEN, c.send("GET_SECRET").code(), "the old CRL still refuses the device");
    }
    // the operator fixes the file: loaded, and the status says so
    writeCrl(fixture.pki.crl());
    watcherLog.await(l -> l.contains("changed and was loaded: 0 revoked"), BOUND, "fixed CRL loaded");
    assertEquals(1L, metric("securecmd_crl_last_load_success"));
    try (Connection c = connect(device)) {
      assertEquals("THIS_IS_THE_SECRET", c.send("GET_SECRET").text());
    }
  }

  @Test
  void theTimeToNextUpdateIsExportedAndANearOneIsWarnedAbout() throws Exception {
    start(null);
    Instant next = Instant.now().plus(Duration.ofHours(2));
    writeCrl(fixture.pki.crl(next));
    String warning = watcherLog.await(l -> l.contains("reaches its nextUpdate in"), BOUND, "nextUpdate warning");
    assertTrue(warning.contains("publish a fresh one to every host before then"), warning);
    long seconds = metric("securecmd_crl_next_update_seconds\\{issuer=\"[^\"]+\"\\}");
    assertTrue(seconds > 7000 && seconds <= 7200, "seconds until nextUpdate: " + seconds);
    Map<?, ?> crl = (Map<?, ?>) status().get("crl");
    assertEquals(true, crl.get("last_load_ok"), crl.toString());
    // a CRL already past its nextUpdate: still enforced, the metric goes negative, and a warning says so
    writeCrl(fixture.pki.crl(Instant.now().minus(Duration.ofMinutes(10))));
    watcherLog.await(l -> l.contains("is past its nextUpdate"), BOUND, "past warning");
    assertTrue(metric("securecmd_crl_next_update_seconds\\{issuer=\"[^\"]+\"\\}") < -500);
    assertEquals(1, watcherLog.lines().stream().filter(l -> l.contains("is past its nextUpdate")).count(),
        "warned once, not at every poll");
  }

  private void writeCrl(X509CRL crl) throws Exception {
    if (crl == null) crl = fixture.pki.crl();
    // written beside and moved into place, as config management does
    Path tmp = dir.resolve("crl.pem.tmp");
    Files.writeString(tmp, TestPki.pem("X509 CRL", crl.getEncoded()));
    Files.move(tmp, dir.resolve("crl.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private Connection connect(TestPki.Issued as) throws Exception {
    return fixture.client(as).connect("127.0.0.1", daemon.port());
  }

  private Map<?, ?> status() {
    return (Map<?, ?>) Json.parse(new Ctl(daemon.adminSocket()).run("--json", "status").out().strip());
  }

  private long metric(String series) {
    Map<?, ?> m = (Map<?, ?>) Json.parse(new Ctl(daemon.adminSocket()).run("--json", "metrics").out().strip());
    Matcher x = Pattern.compile("\n" + series + " (-?\\d+)\n").matcher(String.valueOf(m.get("text")));
    if (!x.find()) throw new AssertionError(series + " not in:\n" + m.get("text"));
    return Long.parseLong(x.group(1));
  }
}
