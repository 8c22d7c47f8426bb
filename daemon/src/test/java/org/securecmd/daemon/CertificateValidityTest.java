package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.TestPki;

/**
 * JSSE checks a client certificate's validity in the full handshake only; a resumed session skips it. The
 * per-connection policy checks notBefore/notAfter itself, on the daemon's clock, so a certificate that
 * expires while its session is still resumable is refused on resumption. {@code [tls] session_timeout}
 * is the session lifetime the server gives its tickets.
 */
class CertificateValidityTest {
  @TempDir Path dir;

  /** A clock the test moves forward; the daemon reads it for every policy check. */
  static final class TestClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  @Test
  void aCertificateThatExpiredWhileItsSessionWasResumableIsRefusedOnResumption() throws Exception {
    TestClock clock = new TestClock();
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""), clock)) {
      Instant start = clock.instant();
      TestPki.Issued shortLived = d.pki.issue(TestPki.spec("trusted-client")
          .validity(start.minus(Duration.ofMinutes(5)), start.plus(Duration.ofMinutes(30))).clientAuth());
      SecureCmdClient client = d.client(shortLived);
      long created;
      try (Connection c = client.connect("127.0.0.1", d.port())) {
        assertEquals("THIS_IS_THE_SECRET", c.send("GET_SECRET").text(), "valid now: served");
        created = c.session().getCreationTime();
      }
      clock.now.set(start.plus(Duration.ofMinutes(31)));
      try (Connection c = client.connect("127.0.0.1", d.port())) {
        assertEquals(created, c.session().getCreationTime(), "the session was resumed, so JSSE checked nothing");
        assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate expired"), c.send("GET_SECRET"));
      }
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate expired"), d.send(shortLived, "GET_SECRET"),
          "a full handshake is refused the same way");
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text(), "a valid device is still served");
    }
  }

  @Test
  void aCertificateNotYetValidByTheDaemonsClockIsRefused() throws Exception {
    TestClock clock = new TestClock();
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""), clock)) {
      // After the start: the server's own certificate is checked on the same clock when a generation loads.
      clock.now.set(Instant.now().minus(Duration.ofHours(2)));
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate not yet valid"), d.send(d.device, "GET_SECRET"));
    }
  }

  @Test
  void sessionTimeoutIsTheServersSessionLifetime() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", "").replace("[tls]\n",
        "[tls]\nsession_timeout = \"10m\"\n"))) {
      assertEquals(600, d.daemon.generation().tls().context().getServerSessionContext().getSessionTimeout());
    }
  }

  @Test
  void theDefaultSessionLifetimeIsOneHourNotTheJdksDay() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      assertEquals(3600, d.daemon.generation().tls().context().getServerSessionContext().getSessionTimeout());
    }
  }

  /**
   * What a client learns of {@code session_timeout}: the ticket lifetime in the NewSessionTicket, read by the
   * real {@code openssl s_client} (OpenSSL clients stop offering a ticket after it). JSSE on the server side
   * does not refuse an older session when it comes back, which is why validity is checked by the policy.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(textBlock = """
      '',                          3600
      'session_timeout = "90s"',   90
      """)
  void openSslClientsAreToldTheSessionTimeoutAsTheTicketLifetime(String key, int seconds) throws Exception {
    // One request per connection: the second PING gets ERR BUSY and the close that ends s_client at once.
    String config = TestDaemon.config("", "").replace("[tls]\n", "[tls]\n" + key + "\n")
        .replace("[server]\n", "[server]\nmax_requests_per_connection = 1\n");
    try (TestDaemon d = TestDaemon.start(dir, config)) {
      d.device.write(dir, "device");
      Path session = dir.resolve("session.pem");
      String out = sh("printf 'PING\\nPING\\n' | timeout 20 openssl s_client -quiet -connect 127.0.0.1:" + d.port()
          + " -CAfile ca.crt -cert device.crt -cert_chain device.crt -key device.key -sess_out " + session + " 2>&1; "
          + "openssl sess_id -in " + session + " -noout -text");
      assertTrue(out.contains("PONG"), out);
      assertTrue(out.contains("TLS session ticket lifetime hint: " + seconds + " (seconds)"), out);
    }
  }

  private String sh(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "openssl finished");
    return out;
  }
}
