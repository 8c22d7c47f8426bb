package org.securecmd.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;

/**
 * Daemons, each its own JVM (so one can be killed with SIGKILL), behind a real HAProxy running the shipped
 * {@code etc/haproxy/securecmd.cfg}, on loopback with free ports; the PKI from the in-JVM fixture. Devices
 * connect from their own loopback addresses (127.0.0.2, 127.0.0.10..., bound by the client socket), so the
 * address a daemon audits can only have come from the PROXY v2 header. Used by {@code HaproxyFleetTest}
 * (file backend) and {@code HaproxySharedStateTest} (PostgreSQL).
 */
final class HaproxyFleet implements AutoCloseable {
  static final Duration BOUND = Duration.ofSeconds(30);
  final Path dir;
  final TestPki pki;
  final TestPki.Issued device;
  final List<DaemonProcess> daemons = new ArrayList<>();
  final List<Integer> daemonPorts = new ArrayList<>();
  private Haproxy haproxy;
  private int frontend;

  private HaproxyFleet(Path dir, TestPki pki, TestPki.Issued device) {
    this.dir = dir;
    this.pki = pki;
    this.device = device;
  }

  /**
   * Starts {@code n} (1 or 2) daemons in {@code dir}/daemon1.., each with {@code TestDaemon.config(clientsExtra, "")}
   * passed through {@code edit} (given the daemon's number), then HAProxy; returns once a device is served.
   */
  static HaproxyFleet start(Path dir, int n, String clientsExtra, java.util.function.BiFunction<Integer, String, String> edit)
      throws Exception {
    Path one = Files.createDirectories(dir.resolve("daemon1"));
    TestDaemon fixture = TestDaemon.start(one, TestDaemon.config("", ""));
    fixture.close();
    HaproxyFleet f = new HaproxyFleet(dir, fixture.pki, fixture.device);
    try {
      for (int i = 1; i <= n; i++) {
        Path d = Files.createDirectories(dir.resolve("daemon" + i));
        if (i > 1) {
          for (String file : List.of("server.crt", "server.key", "ca.crt")) {
            Files.copy(one.resolve(file), d.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
        int port = freePort();
        Files.writeString(d.resolve("config.toml"), edit.apply(i, TestDaemon.config(clientsExtra, "")
            .replace("127.0.0.1:0", "127.0.0.1:" + port)
            // 2 s (the fixture's) is cut by a loaded CI machine's first handshakes; these tests are not about it
            .replace("handshake_timeout = \"2s\"", "handshake_timeout = \"10s\"")
            .replace("idle_timeout = \"30s\"", "idle_timeout = \"30s\"\nproxy_protocol = [\"127.0.0.1/32\"]")));
        f.daemonPorts.add(port);
        f.daemons.add(DaemonProcess.daemon(d.resolve("config.toml")));
      }
      for (DaemonProcess p : f.daemons) p.await(l -> l.contains("serving on"), BOUND, "start-up line");
      f.frontend = freePort();
      f.haproxy = Haproxy.start(dir, "127.0.0.1:" + f.frontend, f.daemonPorts.stream().map(p -> "127.0.0.1:" + p).toList());
      // ready when a device is served through it (a bare TCP probe would reach a daemon as a failed handshake)
      if (!HostilePeers.await(f::pingThroughBalancer, BOUND)) throw new AssertionError("HAProxy serves:\n" + f.haproxy.output());
      return f;
    } catch (Exception | AssertionError e) {
      f.close();
      throw e;
    }
  }

  static HaproxyFleet start(Path dir, int n) throws Exception {
    return start(dir, n, "", (i, config) -> config);
  }

  Haproxy haproxy() {
    return haproxy;
  }

  /** securecmdctl against daemon {@code i} (0-based). */
  Ctl ctl(int i) {
    return new Ctl(dir.resolve("daemon" + (i + 1)).resolve("admin.sock"));
  }

  /** The fleet's device at {@code from} (a loopback address) with mutual TLS, through HAProxy. */
  SSLSocket throughBalancer(String from) throws IOException {
    return throughBalancer(from, device);
  }

  SSLSocket throughBalancer(String from, TestPki.Issued as) throws IOException {
    return tls(plain(from, frontend), frontend, as);
  }

  /** {@code as} straight to daemon {@code i}, from an address that is not a listed balancer (plain TLS). */
  SSLSocket direct(int i, TestPki.Issued as) throws IOException {
    return tls(plain("127.0.0.2", daemonPorts.get(i)), daemonPorts.get(i), as);
  }

  /** A client TLS handshake as {@code as} over {@code s} (connected to {@code port}); closes {@code s} on failure. */
  SSLSocket tls(Socket s, int port, TestPki.Issued as) throws IOException {
    try {
      HandshakeSetup setup = new HandshakeSetup.Builder().addTrustedCertificate(pki.rootCertificate())
          .certifiedKey(as.certifiedKey()).build();
      SSLSocket tls = (SSLSocket) setup.newSslContext().getSocketFactory().createSocket(s, "127.0.0.1", port, true);
      tls.setSSLParameters(setup.sslParameters());
      tls.startHandshake();
      return tls;
    } catch (java.security.GeneralSecurityException e) {
      s.close();
      throw new IOException(e);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  static Socket plain(String from, int port) throws IOException {
    Socket s = new Socket();
    try {
      s.bind(new InetSocketAddress(from, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /** One request line and its reply line; an IOException when the daemon closed without one. */
  static String request(SSLSocket s, String line) throws IOException {
    s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    if (reply == null) throw new IOException("closed without a reply");
    return reply;
  }

  boolean pingThroughBalancer() {
    try (SSLSocket s = throughBalancer("127.0.0.3")) {
      return request(s, "PING").equals("PONG");
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (haproxy != null) haproxy.close();
    daemons.forEach(DaemonProcess::close);
  }
}
