package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;

/**
 * A policy change reaches the connections already open: each request is authorised and answered by the
 * current generation, and a reload re-checks every open connection, closing the refused ones with one
 * unprompted {@code ERR FORBIDDEN} line. The CRL case uses a CA run by {@code openssl ca}, as operators do.
 */
class PolicyChangeTest {
  @TempDir Path dir;

  @Test
  void aHeldConnectionIsRefusedWhenTheCrlRevokingItsDeviceIsReloaded() throws Exception {
    Path ca = dir.resolve("fleet-ca");
    Files.createDirectories(ca);
    OpensslCa.create(ca);
    OpensslCa.issueDevice(ca, "trusted-client", "device");
    OpensslCa.gencrl(ca);
    TestPki serverPki = new TestPki("Server");
    serverPki.issue(TestPki.spec("127.0.0.1").ip("127.0.0.1").serverAuth()).write(dir, "server");
    Path config = dir.resolve("config.toml");
    Files.writeString(config, config("", "")
        .replace("ca = \"ca.crt\"", "ca = \"fleet-ca/ca.crt\"\ncrl = \"fleet-ca/crl.pem\""));
    Daemon.Started d = TestDaemon.startOnLoopback(config);
    try {
      HandshakeSetup device = new HandshakeSetup.Builder()
          .addTrustedCertificate(serverPki.rootCertificate())
          .certifiedKey(CertifiedKey.load(ca.resolve("device.crt"), ca.resolve("device.key"))).build();
      try (SSLSocket held = (SSLSocket) device.newSslContext().getSocketFactory().createSocket("127.0.0.1", d.port())) {
        held.setSoTimeout(10_000);
        assertEquals("THIS_IS_THE_SECRET", request(held, "GET_SECRET"));

        OpensslCa.revoke(ca, "device");
        d.reload();

        String line = HostileInputTest.readLine(held.getInputStream()); // nothing sent: the line is unprompted
        assertTrue(line.startsWith("ERR FORBIDDEN ") && line.contains("revoked"), line);
        assertEquals(-1, HostileInputTest.readOrEof(held.getInputStream()), "then the connection is closed");
      }
      try (Connection again = new SecureCmdClient(device, Duration.ofSeconds(5)).connect("127.0.0.1", d.port())) {
        assertEquals("FORBIDDEN", again.send("GET_SECRET").errorCode(), "a new connection is refused too");
      }
      assertTrue(d.metrics().snapshot().refusedByReason().getOrDefault("revoked", 0L) >= 2,
          d.metrics().snapshot().refusedByReason().toString());
    } finally {
      d.stop();
    }
  }

  @Test
  void aNarrowerConnectionAllowListClosesTheHeldConnection() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("", ""))) {
      try (SSLSocket held = MutualTlsTest.rawClient(d, d.device)) {
        assertEquals("PONG", request(held, "PING"));
        d.writeConfig(config("allow = [\"someone-else\"]", ""));
        d.daemon.reload();
        assertEquals("ERR FORBIDDEN identity not allowed to connect", HostileInputTest.readLine(held.getInputStream()));
        assertEquals(-1, HostileInputTest.readOrEof(held.getInputStream()));
      }
      assertEquals(1L, d.daemon.metrics().snapshot().refusedByReason().get("policy"));
    }
  }

  @Test
  void aNarrowerCommandAllowListAppliesToTheNextRequestOnAnOpenConnection() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("", ""))) {
      try (SSLSocket held = MutualTlsTest.rawClient(d, d.device)) {
        assertEquals("THIS_IS_THE_SECRET", request(held, "GET_SECRET"));
        d.writeConfig(config("", "").replace("[commands.GET_SECRET]\nreply = \"THIS_IS_THE_SECRET\"\nallow = [\"trusted-client\"]",
                "[commands.GET_SECRET]\nreply = \"THIS_IS_THE_SECRET\"\nallow = [\"someone-else\"]"));
        d.daemon.reload();
        assertTrue(request(held, "GET_SECRET").startsWith("ERR FORBIDDEN "), "the command is no longer allowed");
        assertEquals("PONG", request(held, "PING"), "the connection itself is still allowed");
      }
    }
  }

  @Test
  void aVerbTheReloadRemovedIsUnknownOnAnOpenConnection() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("", ""))) {
      try (SSLSocket held = MutualTlsTest.rawClient(d, d.device)) {
        assertEquals("THIS_IS_THE_SECRET", request(held, "GET_SECRET"));
        d.writeConfig(config("", "").replace(
            "[commands.GET_SECRET]\nreply = \"THIS_IS_THE_SECRET\"\nallow = [\"trusted-client\"]",
            "[commands.GET_TIME]\nreply = \"noon\"\nallow = [\"trusted-client\"]"));
        d.daemon.reload();
        assertTrue(request(held, "GET_SECRET").startsWith("ERR UNKNOWN_COMMAND "), "removed by the reload");
        assertEquals("noon", request(held, "GET_TIME"), "added by the reload");
      }
    }
  }

  /**
   * [clients] ca names two roots ("Test" and "Second"), the enrollment CA is Test's intermediate, and a
   * device of Second holds a connection; then the operator removes Second's root from [clients] ca.
   */
  private SSLSocket heldBySecondCaThenRemoved(TestDaemon d) throws Exception {
    TestPki second = new TestPki("Second");
    Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE", d.pki.rootCertificate().getEncoded())
        + TestPki.pem("CERTIFICATE", second.rootCertificate().getEncoded()));
    d.pki.intermediate().write(dir, "issuing");
    d.writeConfig(config("", ENROLLMENT));
    d.daemon.reload();
    TestPki.Issued device = second.issue(TestPki.spec("trusted-client").clientAuth());
    SSLSocket held = MutualTlsTest.rawClient(d, device);
    held.setSoTimeout(10_000);
    assertEquals("PONG", request(held, "PING"));
    d.pki.writeRoot(dir.resolve("ca.crt")); // Second's root is gone
    return held;
  }

  private static final String ENROLLMENT = """
      [enrollment]
      ca_certificate = "issuing.crt"
      ca_key = "issuing.key"
      validity = "365d"
      renew_before = "3650d"
      allow = ["trusted-client"]
      """;

  @Test
  void aHeldConnectionOfACaRemovedFromClientsCaIsRefusedOnReload() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("", ""))) {
      try (SSLSocket held = heldBySecondCaThenRemoved(d)) {
        d.daemon.reload();
        String line = HostileInputTest.readLine(held.getInputStream()); // unprompted
        assertTrue(line.startsWith("ERR FORBIDDEN ") && line.contains("[clients] ca"), line);
        assertEquals(-1, HostileInputTest.readOrEof(held.getInputStream()), "then the connection is closed");
      }
    }
  }

  @Test
  void aCaRemovedFromClientsCaCannotRenewIntoTheEnrollmentCa() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config("", ""))) {
      try (SSLSocket held = heldBySecondCaThenRemoved(d)) {
        d.daemon.reload();
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        java.security.KeyPair k = g.generateKeyPair();
        String csr = java.util.Base64.getEncoder().encodeToString(
            org.securecmd.tls.CertificationRequest.der(k.getPublic(), k.getPrivate(), "trusted-client"));
        String line;
        try {
          line = request(held, "RENEW " + csr); // the unprompted refusal may come first: the same line either way
        } catch (IOException closedFirst) {
          return; // refused and closed before the request could be sent: no certificate either
        }
        assertTrue(line.startsWith("ERR FORBIDDEN "), "no certificate for a CA the operator removed: " + line);
      }
    }
  }

  /** TestDaemon's config with a handshake timeout a cold JVM on a loaded machine cannot miss. */
  private static String config(String clients, String tables) {
    return TestDaemon.config(clients, tables).replace("handshake_timeout = \"2s\"", "handshake_timeout = \"30s\"");
  }

  private static String request(SSLSocket s, String line) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return HostileInputTest.readLine(s.getInputStream());
  }

  /** A device CA as {@code openssl ca} runs one: index, serial, CRL number, revocations, CRLs. */
  static final class OpensslCa {
    private static final String CONF = """
        [ ca ]
        default_ca = fleet
        [ fleet ]
        dir = .
        database = index.txt
        new_certs_dir = newcerts
        serial = serial
        crlnumber = crlnumber
        certificate = ca.crt
        private_key = ca.key
        default_md = sha256
        default_days = 30
        default_crl_days = 7
        policy = any
        unique_subject = no
        [ any ]
        commonName = supplied
        [ device ]
        basicConstraints = CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = clientAuth
        [ req ]
        distinguished_name = dn
        [ dn ]
        [ root ]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        """;

    static void create(Path ca) throws Exception {
      Files.writeString(ca.resolve("openssl.cnf"), CONF);
      sh(ca, "mkdir -p newcerts && : > index.txt && echo 1000 > serial && echo 1000 > crlnumber"
          + " && openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key"
          + " -out ca.crt -days 30 -subj /CN=Fleet-CA -config openssl.cnf -extensions root");
    }

    static void issueDevice(Path ca, String commonName, String name) throws Exception {
      sh(ca, "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name + ".key"
          + " -out " + name + ".csr -subj /CN=" + commonName + " -config openssl.cnf"
          + " && openssl ca -batch -notext -config openssl.cnf -extensions device -in " + name + ".csr"
          + " -out " + name + ".crt");
    }

    static void revoke(Path ca, String name) throws Exception {
      sh(ca, "openssl ca -config openssl.cnf -revoke " + name + ".crt");
      gencrl(ca);
    }

    static void gencrl(Path ca) throws Exception {
      sh(ca, "openssl ca -config openssl.cnf -gencrl -out crl.pem");
    }

    private static void sh(Path ca, String command) throws Exception {
      Process p = new ProcessBuilder(List.of("bash", "-c", "set -euo pipefail; " + command)).directory(ca.toFile())
          .redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(command + " failed:\n" + out);
      }
    }
  }
}
