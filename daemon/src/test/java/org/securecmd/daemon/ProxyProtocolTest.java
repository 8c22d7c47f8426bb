package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.admin.Json;
import org.securecmd.daemon.proxy.ProxyHeaders;
import org.securecmd.tls.HandshakeSetup;

/**
 * The PROXY v2 step on a real daemon with real TLS: the test plays the balancer (it connects from
 * 127.0.0.1, which the config lists) and an unlisted host (it binds 127.0.0.2, which Linux routes on lo).
 * HAProxy itself is in {@code HaproxyFleetTest}.
 */
class ProxyProtocolTest {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final InetSocketAddress DEVICE = new InetSocketAddress("192.0.2.7", 40001);
  private static final InetSocketAddress DEVICE6 = new InetSocketAddress("2001:db8::7", 40002);

  @TempDir Path dir;
  private TestDaemon d;
  private AuditCapture audit;

  private void start() throws Exception {
    start("");
  }

  private void start(String serverKeys) throws Exception {
    audit = new AuditCapture();
    String base = TestDaemon.config("", "");
    if (serverKeys.contains("handshake_timeout")) base = base.replace("handshake_timeout = \"2s\"\n", "");
    d = TestDaemon.start(dir, base.replace("idle_timeout = \"30s\"",
        "idle_timeout = \"30s\"\nproxy_protocol = [\"127.0.0.1/32\", \"fd00::/64\"]\n" + serverKeys));
  }

  @Test
  void maxHandshakesPerAddressCountsTheDevicesAddressBehindTheBalancerNotTheBalancers() throws Exception {
    start("max_handshakes_per_address = 2\nhandshake_timeout = \"20s\"");
    InetSocketAddress to = new InetSocketAddress("127.0.0.1", d.port());
    List<Socket> held = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) { // two handshakes of DEVICE in progress: header sent, no ClientHello yet
        Socket s = plain("127.0.0.1");
        s.getOutputStream().write(ProxyHeaders.proxy(new InetSocketAddress(DEVICE.getAddress(), 40100 + i), to));
        held.add(s);
      }
      // a third of DEVICE's is refused (retried until the two held ones have taken their slots: bounded)
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (!d.daemon.metrics().snapshot().refusedByReason().containsKey("address_limit")) {
        if (System.nanoTime() > deadline) throw new AssertionError("no address_limit refusal: " + d.daemon.metrics().snapshot());
        try (SSLSocket third = tlsAfter(plain("127.0.0.1"), ProxyHeaders.proxy(DEVICE, to))) {
          request(third, "PING"); // served: the held ones were not counted yet
        } catch (IOException refused) {
          // reset by the daemon
        }
      }
      assertEquals(1L, d.daemon.metrics().snapshot().refusedByReason().get("address_limit"));
      String line = audit.await(l -> l.startsWith("connection-refused ") && l.contains("max_handshakes_per_address 2"),
          BOUND, "the refusal's audit line");
      // The refused one is any of DEVICE's three (a retried third can take its slot before a held one has read
      // its header, and the held one is refused instead): what matters is the device's address, never 127.0.0.1.
      assertTrue(line.matches(".* remote=192\\.0\\.2\\.7:(40001|40100|40101) .*"),
          "the device's address, not the balancer's: " + line);
      // another device behind the same balancer (its third connection from 127.0.0.1) is served
      try (SSLSocket other = tlsAfter(plain("127.0.0.1"),
          ProxyHeaders.proxy(new InetSocketAddress("192.0.2.8", 40001), to))) {
        assertEquals("PONG", request(other, "PING"));
      }
    } finally {
      for (Socket s : held) s.close();
    }
    // the held handshakes ended: DEVICE's slots are free again
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (true) {
      try (SSLSocket again = tlsAfter(plain("127.0.0.1"), ProxyHeaders.proxy(DEVICE, to))) {
        assertEquals("PONG", request(again, "PING"));
        break;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) throw new AssertionError("DEVICE's slots were not given back", notYet);
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (d != null) d.close();
    if (audit != null) audit.close();
  }

  @Test
  void aListedBalancersHeaderMakesTheDevicesAddressTheRemoteEverywhere() throws Exception {
    start();
    try (SSLSocket s = tlsAfter(plain("127.0.0.1"), ProxyHeaders.proxy(DEVICE, new InetSocketAddress("127.0.0.1", d.port())))) {
      assertTrue(request(s, "WHOAMI").contains("trusted-client"));
      String line = audit.await(l -> l.startsWith("request ") && l.contains("verb=WHOAMI"), BOUND, "for WHOAMI");
      assertTrue(line.contains(" remote=192.0.2.7:40001 "), line);
      assertTrue(audit.await(l -> l.startsWith("connected "), BOUND, "connected").contains("remote=192.0.2.7:40001"));
      Map<?, ?> info = (Map<?, ?>) ((List<?>) json(new Ctl(d.daemon.adminSocket()).run("--json", "connections"))
          .get("connections")).getFirst();
      assertEquals("192.0.2.7:40001", info.get("remote"));
    }
  }

  @Test
  void anIpv6DeviceAddressIsShownInBracketsInItsShortForm() throws Exception {
    start();
    try (SSLSocket s = tlsAfter(plain("127.0.0.1"), ProxyHeaders.proxy(DEVICE6, new InetSocketAddress("2001:db8::1", 5000)))) {
      request(s, "PING");
      String line = audit.await(l -> l.startsWith("request ") && l.contains("verb=PING"), BOUND, "for PING");
      assertTrue(line.contains(" remote=[2001:db8::7]:40002 "), line);
    }
  }

  @Test
  void aMissingHeaderFromAListedBalancerIsRefusedByName() throws Exception {
    start();
    // plain TLS from 127.0.0.1, as if HAProxy had no send-proxy-v2
    assertThrows(Exception.class, () -> d.send(d.device, "PING"));
    String line = audit.await(l -> l.startsWith("proxy-refused "), BOUND, "proxy-refused");
    assertTrue(line.contains("remote=127.0.0.1:"), line);
    assertTrue(line.contains("reason=\"no PROXY v2 header: the connection starts with a TLS record (a balancer "
        + "without send-proxy-v2?)\""), line);
    assertEquals(Map.of("missing", 1L), d.daemon.metrics().proxy().snapshot().refused());
    assertFalse(audit.lines().stream().anyMatch(l -> l.startsWith("handshake-refused")), audit.lines().toString());
  }

  @Test
  void aHeaderFromAnUnlistedAddressIsRefusedAsNotTls() throws Exception {
    start();
    try (Socket s = plain("127.0.0.2")) {
      s.getOutputStream().write(ProxyHeaders.proxy(DEVICE, new InetSocketAddress("127.0.0.1", d.port())));
      assertEquals(-1, s.getInputStream().read(), "closed without a reply");
    }
    String line = audit.await(l -> l.startsWith("proxy-refused "), BOUND, "proxy-refused");
    assertTrue(line.contains("remote=127.0.0.2:"), line);
    assertTrue(line.contains("reason=\"a PROXY v2 header from 127.0.0.2, not listed in [server] proxy_protocol "
        + "(refused as not TLS)\""), line);
    assertEquals(Map.of("not_listed", 1L), d.daemon.metrics().proxy().snapshot().refused());
  }

  @Test
  void plainTlsFromAnUnlistedAddressIsServedAsBefore() throws Exception {
    start();
    try (SSLSocket s = tlsAfter(plain("127.0.0.2"), new byte[0])) {
      assertEquals("PONG", request(s, "PING"));
    }
    assertTrue(audit.await(l -> l.startsWith("request "), BOUND, "request").contains("remote=127.0.0.2:"));
  }

  @Test
  void aHealthCheckIsCountedAndNotLogged() throws Exception {
    start();
    for (int i = 0; i < 3; i++) {
      try (Socket s = plain("127.0.0.1")) {
        s.getOutputStream().write(ProxyHeaders.local());
        assertEquals(-1, s.getInputStream().read(), "closed quietly");
      }
    }
    awaitHealthChecks(3);
    // a request after them is audited; nothing about the checks was
    try (SSLSocket s = tlsAfter(plain("127.0.0.1"), ProxyHeaders.proxy(DEVICE, new InetSocketAddress("127.0.0.1", 1)))) {
      request(s, "PING");
    }
    audit.await(l -> l.startsWith("request "), BOUND, "request");
    assertEquals(List.of(), audit.lines().stream().filter(l -> !l.startsWith("request ") && !l.startsWith("connected "))
        .toList());
    assertEquals(0, d.daemon.metrics().snapshot().handshakeFailures().values().stream().mapToLong(Long::longValue).sum());
    String text = (String) json(new Ctl(d.daemon.adminSocket()).run("--json", "metrics")).get("text");
    assertTrue(text.contains("\nsecurecmd_proxy_health_checks_total 3\n"), text);
  }

  @Test
  void aMalformedHeaderIsRefusedWithWhatIsWrong() throws Exception {
    start();
    try (Socket s = plain("127.0.0.1")) {
      s.getOutputStream().write(ProxyHeaders.raw(0x22, 0x11, new byte[12]));
      assertEquals(-1, s.getInputStream().read());
    }
    String line = audit.await(l -> l.startsWith("proxy-refused "), BOUND, "proxy-refused");
    assertTrue(line.contains("malformed PROXY v2 header: unknown command 0x2"), line);
    assertEquals(Map.of("malformed", 1L), d.daemon.metrics().proxy().snapshot().refused());
  }

  @Test
  void aSlowOrTruncatedHeaderIsRefusedWithinHandshakeTimeout() throws Exception {
    start();
    long t0 = System.nanoTime();
    try (Socket s = plain("127.0.0.1")) {
      s.getOutputStream().write(ProxyHeaders.SIGNATURE, 0, 5); // and then nothing
      s.setSoTimeout((int) BOUND.toMillis());
      assertEquals(-1, s.getInputStream().read(), "closed by the daemon");
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertTrue(took.compareTo(BOUND) < 0, "closed after " + took);
    String line = audit.await(l -> l.startsWith("proxy-refused "), BOUND, "proxy-refused");
    assertTrue(line.contains("no complete PROXY v2 header within handshake_timeout (2000 ms)"), line);
    assertEquals(Map.of("timeout", 1L), d.daemon.metrics().proxy().snapshot().refused());
    // the daemon serves on
    try (SSLSocket ok = tlsAfter(plain("127.0.0.1"), ProxyHeaders.proxy(DEVICE, new InetSocketAddress("127.0.0.1", 1)))) {
      assertEquals("PONG", request(ok, "PING"));
    }
  }

  @Test
  void aHeaderCutByTheBalancerClosingIsRefusedAsTruncated() throws Exception {
    start();
    try (Socket s = plain("127.0.0.1")) {
      byte[] h = ProxyHeaders.proxy(DEVICE, new InetSocketAddress("127.0.0.1", 1));
      s.getOutputStream().write(h, 0, 20);
      s.shutdownOutput();
      assertEquals(-1, s.getInputStream().read());
    }
    String line = audit.await(l -> l.startsWith("proxy-refused "), BOUND, "proxy-refused");
    assertTrue(line.contains("after 20 of 28 bytes"), line);
  }

  private void awaitHealthChecks(long n) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (d.daemon.metrics().proxy().snapshot().healthChecks() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("health checks counted: " + d.daemon.metrics().proxy().snapshot());
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  private Socket plain(String from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress("127.0.0.1", d.port()), 5000);
    s.setSoTimeout(5000);
    return s;
  }

  /** Writes {@code header} on {@code s}, then runs a client TLS handshake as the device over the same socket. */
  private SSLSocket tlsAfter(Socket s, byte[] header) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(header);
    out.flush();
    HandshakeSetup setup = new HandshakeSetup.Builder().addTrustedCertificate(d.pki.rootCertificate())
        .certifiedKey(d.device.certifiedKey()).build();
    SSLSocket tls = (SSLSocket) setup.newSslContext().getSocketFactory().createSocket(s, "127.0.0.1", d.port(), true);
    tls.setSSLParameters(setup.sslParameters());
    tls.startHandshake();
    return tls;
  }

  private static String request(SSLSocket s, String line) throws IOException {
    s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Ctl.Result r) {
    return (Map<String, Object>) Json.parse(r.out().strip());
  }
}
