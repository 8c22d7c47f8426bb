package org.securecmd.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.config.ListenAddress;
import org.securecmd.daemon.server.BoundListener;
import org.securecmd.daemon.systemd.SystemdEnvironment;
import org.securecmd.daemon.systemd.SystemdSockets;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;

/**
 * A real daemon on 127.0.0.1 (ephemeral port) with a fresh PKI in a temp directory, for tests that need
 * real handshakes. The config is written from a template whose {@code %EXTRA%} the test fills in.
 *
 * <pre>{@code
 * try (TestDaemon d = TestDaemon.start(dir, "")) { assertEquals("PONG", d.send(d.device, "PING").text()); }
 * }</pre>
 */
public final class TestDaemon implements AutoCloseable {
  public final Path dir;
  public final TestPki pki;
  public final TestPki.Issued server;
  /** A device on the allow list (CN trusted-client). */
  public final TestPki.Issued device;
  public final Daemon.Started daemon;

  private TestDaemon(Path dir, TestPki pki, TestPki.Issued server, TestPki.Issued device, Daemon.Started daemon) {
    this.dir = dir;
    this.pki = pki;
    this.server = server;
    this.device = device;
    this.daemon = daemon;
  }

  /** The config a test starts from: mutual TLS, trusted-client allowed, GET_SECRET for it. */
  public static String config(String clientsExtra, String extraTables) {
    return """
        [server]
        listen = "127.0.0.1:0"
        handshake_timeout = "2s"
        idle_timeout = "30s"
        [tls]
        certificate = "server.crt"
        private_key = "server.key"
        [clients]
        ca = "ca.crt"
        %s
        [admin]
        socket = "admin.sock"
        [state]
        directory = "state"
        [commands.GET_SECRET]
        reply = "THIS_IS_THE_SECRET"
        allow = ["trusted-client"]
        %s
        """.formatted(clients(clientsExtra), extraTables);
  }

  private static String clients(String extra) {
    String s = extra.isEmpty() ? "allow = [\"trusted-client\"]" : extra;
    return s.contains("auth =") ? s : "auth = \"required\"\n" + s;
  }

  /**
   * A daemon not under systemd, started from {@code configFile} (written already) on 127.0.0.1 at an
   * ephemeral port, whatever {@code [server] listen} says.
   */
  static Daemon.Started startOnLoopback(Path configFile) throws Exception {
    return new Daemon(configFile, Clock.systemUTC(), SystemdEnvironment.NONE, Daemon.CRL_POLL_INTERVAL)
        .start(c -> new BoundListener(new ListenAddress("127.0.0.1", 0)));
  }

  /** Writes PKI and config into {@code dir} and starts a daemon. */
  public static TestDaemon start(Path dir, String config) throws Exception {
    return start(dir, config, Clock.systemUTC(), new ListenAddress("127.0.0.1", 0));
  }

  /** As {@link #start(Path, String)}, with the daemon's idea of "now" taken from {@code clock}. */
  public static TestDaemon start(Path dir, String config, Clock clock) throws Exception {
    return start(dir, config, clock, new ListenAddress("127.0.0.1", 0));
  }

  /** As {@link #start(Path, String)}, listening on {@code listen} (the certificate names 127.0.0.1 and ::1). */
  public static TestDaemon start(Path dir, String config, ListenAddress listen) throws Exception {
    return start(dir, config, Clock.systemUTC(), listen);
  }

  private static TestDaemon start(Path dir, String config, Clock clock, ListenAddress listen) throws Exception {
    TestPki pki = new TestPki("Test");
    TestPki.Issued server = pki.issue(
        TestPki.spec("127.0.0.1").ip("127.0.0.1").ip("::1").dns("localhost").serverAuth());
    TestPki.Issued device = pki.issue(TestPki.spec("trusted-client").clientAuth());
    return start(dir, config, pki, server, device, clock, org.securecmd.daemon.systemd.Notifier.NOOP, listen);
  }

  /** As {@link #start(Path, String)}, with {@code pki} (its files, such as an issuing CA, already written). */
  public static TestDaemon start(Path dir, String config, TestPki pki) throws Exception {
    TestPki.Issued server = pki.issue(
        TestPki.spec("127.0.0.1").ip("127.0.0.1").ip("::1").dns("localhost").serverAuth());
    TestPki.Issued device = pki.issue(TestPki.spec("trusted-client").clientAuth());
    return start(dir, config, pki, server, device, Clock.systemUTC(), org.securecmd.daemon.systemd.Notifier.NOOP,
        new ListenAddress("127.0.0.1", 0));
  }

  /** A second daemon of the same fleet: same PKI, server certificate and device as {@code other}. */
  public static TestDaemon startLike(TestDaemon other, Path dir, String config) throws Exception {
    return start(dir, config, other.pki, other.server, other.device, Clock.systemUTC(),
        org.securecmd.daemon.systemd.Notifier.NOOP, new ListenAddress("127.0.0.1", 0));
  }

  /** As {@link #startLike(TestDaemon, Path, String)}, telling {@code notifier} what it would tell systemd. */
  public static TestDaemon startLike(TestDaemon other, Path dir, String config,
                                     org.securecmd.daemon.systemd.Notifier notifier) throws Exception {
    return start(dir, config, other.pki, other.server, other.device, Clock.systemUTC(), notifier,
        new ListenAddress("127.0.0.1", 0));
  }

  private static TestDaemon start(Path dir, String config, TestPki pki, TestPki.Issued server, TestPki.Issued device,
                                  Clock clock, org.securecmd.daemon.systemd.Notifier notifier, ListenAddress listen)
      throws Exception {
    server.write(dir, "server");
    pki.writeRoot(dir.resolve("ca.crt"));
    Files.writeString(dir.resolve("config.toml"), config);
    Daemon.Started d = new Daemon(dir.resolve("config.toml"), clock,
        new SystemdEnvironment(notifier, SystemdSockets.NONE, java.util.Optional.empty()), Daemon.CRL_POLL_INTERVAL)
        .start(c -> new BoundListener(listen));
    return new TestDaemon(dir, pki, server, device, d);
  }

  public int port() throws IOException {
    return daemon.port();
  }

  /** A client trusting this PKI's root and presenting {@code as} (or nothing when null). */
  public SecureCmdClient client(TestPki.Issued as) throws GeneralSecurityException {
    HandshakeSetup.Builder b = new HandshakeSetup.Builder().addTrustedCertificate(pki.rootCertificate());
    if (as != null) b.certifiedKey(as.certifiedKey());
    return new SecureCmdClient(b.build(), Duration.ofSeconds(5));
  }

  public Connection connect(TestPki.Issued as) throws GeneralSecurityException, ClientException, IOException {
    return client(as).connect("127.0.0.1", port());
  }

  /** One request on a fresh connection. */
  public Reply send(TestPki.Issued as, String request) throws Exception {
    try (Connection c = connect(as)) {
      return c.send(request);
    }
  }

  /** Rewrites the config file (tests then reload or restart). */
  public void writeConfig(String config) throws IOException {
    Files.writeString(dir.resolve("config.toml"), config);
  }

  @Override
  public void close() throws InterruptedException {
    daemon.stop();
  }
}
