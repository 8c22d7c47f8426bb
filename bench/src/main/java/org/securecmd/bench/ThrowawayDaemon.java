package org.securecmd.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.securecmd.bench.pkcs11.Loopback;
import org.securecmd.ca.Issuer;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;

/**
 * A daemon to measure plain handshakes against: {@code org.securecmd.daemon.Main} in a child JVM on this JVM's
 * class path (so its CPU is not this JVM's), mutual TLS required, on 127.0.0.1 and a port that was free a
 * moment before, with a PKI made here (EC P-256 CA, server and device {@code dev-bench}), audit logging
 * off. {@link #close} stops it.
 */
final class ThrowawayDaemon implements AutoCloseable {
  private final Process process;
  private final int port;
  private final List<X509Certificate> trust;
  private final CertifiedKey device;

  private ThrowawayDaemon(Process process, int port, List<X509Certificate> trust, CertifiedKey device) {
    this.process = process;
    this.port = port;
    this.trust = trust;
    this.device = device;
  }

  /** The PKI of a throwaway daemon: one EC P-256 CA for the server, the devices and [enrollment]. */
  record Pki(KeyPair caKeys, X509Certificate ca) {
    /** A device certificate for {@code dev-bench} from this CA, as the tutorial issues them. */
    CertifiedKey device() throws Exception {
      KeyPair keys = Issuer.newKeyPair("ec");
      X509Certificate leaf = Issuer.leaf(ca, caKeys.getPrivate(), Issuer.newSerial(), "dev-bench",
          List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "urn:securecmd:device:dev-bench")),
          keys.getPublic(), KeyPurposeId.id_kp_clientAuth, Duration.ofDays(2));
      return new CertifiedKey(keys.getPrivate(), List.of(leaf, ca));
    }
  }

  /** Called with the config file before the daemon starts (to record state the daemon will read). */
  @FunctionalInterface
  interface BeforeStart {
    void accept(Path config) throws Exception;
  }

  /**
   * Makes the CA and the server certificate in {@code dir}: {@code ca.crt}, {@code ca.key}, {@code server.crt},
   * {@code server.key} (keys mode 0600, as the daemon demands).
   */
  static Pki pki(Path dir) throws Exception {
    KeyPair caKeys = Issuer.newKeyPair("ec");
    X509Certificate ca = Issuer.selfSignedCa(caKeys, "Bench CA", Duration.ofDays(2));
    KeyPair serverKeys = Issuer.newKeyPair("ec");
    X509Certificate server = Issuer.leaf(ca, caKeys.getPrivate(), Issuer.newSerial(), "127.0.0.1",
        List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1")), serverKeys.getPublic(),
        KeyPurposeId.id_kp_serverAuth, Duration.ofDays(2));
    Files.writeString(dir.resolve("ca.crt"), pem("CERTIFICATE", ca.getEncoded()));
    Files.writeString(dir.resolve("server.crt"), pem("CERTIFICATE", server.getEncoded()));
    writeKey(dir.resolve("server.key"), serverKeys);
    writeKey(dir.resolve("ca.key"), caKeys);
    return new Pki(caKeys, ca);
  }

  /** A plain daemon: mutual TLS required, devices {@code dev-*}, only the built-in verbs. */
  static ThrowawayDaemon start(Path dir) throws Exception {
    Pki pki = pki(dir);
    return start(dir, pki, "", pki.device(), config -> { });
  }

  /** A daemon whose config is the plain one plus {@code extraToml}, used by {@code device}. */
  static ThrowawayDaemon start(Path dir, Pki pki, String extraToml, CertifiedKey device, BeforeStart before)
      throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Path config = dir.resolve("config.toml");
    Files.writeString(config, """
        [server]
        listen = "127.0.0.1:%d"
        handshake_timeout = "5s"
        idle_timeout = "30s"
        max_connections = 20000
        max_connections_per_identity = 20000
        max_handshakes_per_address = 20000
        [tls]
        certificate = "server.crt"
        private_key = "server.key"
        [clients]
        auth = "required"
        ca = "ca.crt"
        allow = ["dev-*"]
        [admin]
        socket = "admin.sock"
        [state]
        directory = "state"
        """.formatted(port) + extraToml);
    before.accept(config);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        "--enable-native-access=ALL-UNNAMED", "-Dlogback.configurationFile=/dev/null",
        "org.securecmd.daemon.Main", "--config", config.toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
    ThrowawayDaemon d = new ThrowawayDaemon(p, port, List.of(pki.ca()), device);
    try {
      Loopback.awaitListening(d.process, "securecmdd", d.port, dir.resolve("daemon.log"), 30);
      return d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  int port() {
    return port;
  }

  /** A client presenting the device's certificate; each connection is a full handshake. */
  SecureCmdClient client() throws Exception {
    return new SecureCmdClient(new HandshakeSetup.Builder().addTrustedCertificates(trust).certifiedKey(device)
        .build(), Duration.ofSeconds(30));
  }

  private static void writeKey(Path file, KeyPair keys) throws IOException {
    Path key = Files.createFile(file,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
  }

  /** Full mutual-TLS handshakes + PING per second, {@code threads} at once, a new SSLContext each. */
  double handshakes(int threads, int seconds) throws InterruptedException {
    return EnrollBench.rate(threads, seconds, () -> {
      try (Connection conn = client().connect("127.0.0.1", port)) {
        if (conn.send("PING").isError()) throw new IllegalStateException("PING refused");
      }
    });
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }
}
