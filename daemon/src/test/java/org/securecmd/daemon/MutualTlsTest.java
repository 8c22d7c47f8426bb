package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.auth.AccessPolicy;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.server.Generation;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.TestPki;

/** Real handshakes on loopback: who gets in, who does not, and what each side sees. */
class MutualTlsTest {
  @TempDir Path dir;

  @Test
  void seedClientSpeakingRawTlsGetsTheSecretLine() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      try (SSLSocket s = rawClient(d, d.device)) {
        OutputStream out = s.getOutputStream();
        out.write("GET_SECRET\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("THIS_IS_THE_SECRET", in.readLine());
        out.write("GET_SECRET\r\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertEquals("THIS_IS_THE_SECRET", in.readLine(), "CRLF line endings are accepted");
        assertEquals("TLSv1.3", s.getSession().getProtocol());
      }
    }
  }

  @Test
  void deviceOnTheAllowListGetsTheSecretAndIsNamedByItsCertificate() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      try (Connection c = d.connect(d.device)) {
        assertEquals(Reply.ok("THIS_IS_THE_SECRET"), c.send("GET_SECRET"));
        assertTrue(c.send("WHOAMI").text().startsWith("cn=trusted-client serial="));
        assertEquals("PONG", c.send("PING").text());
        assertEquals(d.server.certificate(), c.session().getPeerCertificates()[0], "client saw the server's leaf");
      }
    }
  }

  @Test
  void clientWithoutCertificateIsRefusedWhenAuthIsRequired() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      ClientException e = assertThrows(ClientException.class, () -> d.send(null, "GET_SECRET"));
      assertEquals(ClientException.Kind.TLS, e.kind());
      assertEquals("client certificate required by the server", e.getMessage());
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text(), "others are still served");
    }
  }

  @Test
  void deviceFromAnUnknownCaIsRefused() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      TestPki other = new TestPki("Other");
      TestPki.Issued stranger = other.issue(TestPki.spec("trusted-client").clientAuth());
      ClientException e = assertThrows(ClientException.class, () -> d.send(stranger, "GET_SECRET"));
      assertEquals(ClientException.Kind.TLS, e.kind(), e.getMessage());
      assertTrue(e.getMessage().startsWith("client certificate rejected by the server"), e.getMessage());
    }
  }

  @Test
  void deviceRevokedByTheCrlIsRefusedAndOthersAreServed() throws Exception {
    TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""));
    TestPki.Issued revoked = d.pki.issue(TestPki.spec("trusted-client").clientAuth());
    d.close();
    Files.writeString(dir.resolve("crl.pem"), TestPki.pem("X509 CRL", d.pki.crl(revoked).getEncoded()));
    // The intermediate issues the CRL, so the client CA bundle carries it beside the root.
    Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE", d.pki.intermediate().certificate().getEncoded()),
        java.nio.file.StandardOpenOption.APPEND);
    // a fresh daemon with the same PKI files plus the CRL
    String config = TestDaemon.config("allow = [\"trusted-client\"]\ncrl = \"crl.pem\"", "");
    Files.writeString(dir.resolve("config.toml"), config);
    Daemon.Started daemon = TestDaemon.startOnLoopback(dir.resolve("config.toml"));
    try {
      SecureCmdClient client = clientOf(d.pki, revoked);
      try (Connection c = client.connect("127.0.0.1", daemon.port())) {
        Reply r = c.send("GET_SECRET");
        assertEquals(ErrorCode.FORBIDDEN, r.code());
        assertEquals("certificate revoked (CRL)", r.text());
      }
      try (Connection c = clientOf(d.pki, d.device).connect("127.0.0.1", daemon.port())) {
        assertEquals("THIS_IS_THE_SECRET", c.send("GET_SECRET").text());
      }
    } finally {
      daemon.stop();
    }
  }

  @Test
  void identityNotOnTheConnectionAllowListIsRefused() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      TestPki.Issued intruder = d.pki.issue(TestPki.spec("untrusted-client").clientAuth());
      Reply r = d.send(intruder, "PING");
      assertEquals(ErrorCode.FORBIDDEN, r.code());
      assertEquals("identity not allowed to connect", r.text());
    }
  }

  @Test
  void commandAllowListRefusesOtherDevicesWithForbidden() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("allow = [\"trusted-client\", \"sensor-*\"]", ""))) {
      TestPki.Issued sensor = d.pki.issue(TestPki.spec("sensor-7").clientAuth());
      try (Connection c = d.connect(sensor)) {
        assertEquals("PONG", c.send("PING").text(), "the sensor may connect");
        Reply r = c.send("GET_SECRET");
        assertEquals(ErrorCode.FORBIDDEN, r.code());
        assertEquals("PONG", c.send("PING").text(), "a refused command keeps the connection");
      }
    }
  }

  @Test
  void sanUriIdentityMatchesAllowListPatterns() throws Exception {
    String commands = "[commands.FLEET]\nreply = \"ok\"\nallow = [\"spiffe://fleet/*\"]";
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("allow = [\"*\"]", commands))) {
      TestPki.Issued device = d.pki.issue(TestPki.spec("dev-1").uri("spiffe://fleet/dev-1").clientAuth());
      assertEquals("ok", d.send(device, "FLEET").text());
      assertEquals(ErrorCode.FORBIDDEN, d.send(d.device, "FLEET").code());
    }
  }

  @Test
  void clientRefusesAServerWhoseCertificateNamesAnotherIp() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      d.pki.issue(TestPki.spec("127.0.0.2").ip("127.0.0.2").serverAuth()).write(dir, "server");
      d.daemon.generations().install(d.daemon.generations().next());
      ClientException e = assertThrows(ClientException.class, () -> d.send(d.device, "GET_SECRET"));
      assertEquals(ClientException.Kind.TLS, e.kind());
      assertEquals("IP address mismatch: the server certificate is not valid for 127.0.0.1", e.getMessage());
    }
  }

  @Test
  void clientRefusesAServerFromAnotherCa() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      SecureCmdClient wrongTrust = clientOf(new TestPki("Elsewhere"), d.device);
      ClientException e = assertThrows(ClientException.class, () -> wrongTrust.connect("127.0.0.1", d.port()));
      assertEquals(ClientException.Kind.TLS, e.kind());
      assertEquals("unknown CA: the server certificate is not signed by a trusted CA", e.getMessage());
    }
  }

  @Test
  void resumedSessionIsCheckedAgainAfterTheAllowListChanges() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      SecureCmdClient client = d.client(d.device);
      long firstCreated;
      try (Connection c = client.connect("127.0.0.1", d.port())) {
        assertEquals("THIS_IS_THE_SECRET", c.send("GET_SECRET").text());
        firstCreated = c.session().getCreationTime();
      }
      // Same SSLContext (so the session resumes), new policy that no longer allows the device.
      Generation g = d.daemon.generation();
      d.daemon.generations().install(new Generation(g.number() + 1, g.config(), g.tls(),
          new AccessPolicy(AllowList.of(List.of("someone-else")), null, () -> DenyList.EMPTY), g.commands(),
          Instant.now()));
      try (Connection c = client.connect("127.0.0.1", d.port())) {
        assertEquals(firstCreated, c.session().getCreationTime(), "the session was resumed, not renegotiated");
        Reply r = c.send("GET_SECRET");
        assertEquals(ErrorCode.FORBIDDEN, r.code(), "resumption must not skip the allow list");
      }
      assertTrue(d.daemon.metrics().snapshot().handshakesResumed() >= 1, "the daemon counted the resumption");
    }
  }

  @Test
  void denyListAppliesToResumedSessionsToo() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      SecureCmdClient client = d.client(d.device);
      try (Connection c = client.connect("127.0.0.1", d.port())) {
        assertEquals("PONG", c.send("PING").text());
      }
      Generation g = d.daemon.generation();
      DenyList denied = DenyList.EMPTY.withSerial(d.device.certificate().getSerialNumber().toString(16));
      d.daemon.generations().install(new Generation(g.number() + 1, g.config(), g.tls(),
          new AccessPolicy(g.policy().connectAllow(), null, () -> denied), g.commands(), Instant.now()));
      try (Connection c = client.connect("127.0.0.1", d.port())) {
        assertEquals(Reply.error(ErrorCode.FORBIDDEN, "revoked by the operator"), c.send("PING"));
      }
    }
  }

  @Test
  void optionalAuthLetsAnonymousClientsRunOnlyWhatAllowAnonymousAllows() throws Exception {
    String commands = """
        [commands.PUBLIC]
        reply = "hello"
        allow = ["*"]
        allow_anonymous = true
        [commands.STAR]
        reply = "certified only"
        allow = ["*"]
        """;
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config(
        "auth = \"optional\"\nallow = [\"*\"]\nallow_anonymous = true", commands))) {
      try (Connection c = d.connect(null)) {
        assertEquals("anonymous", c.send("WHOAMI").text());
        assertEquals("PONG", c.send("PING").text());
        assertEquals("hello", c.send("PUBLIC").text());
        assertEquals(ErrorCode.FORBIDDEN, c.send("STAR").code(), "\"*\" matches certified clients only");
        assertEquals(ErrorCode.FORBIDDEN, c.send("GET_SECRET").code());
      }
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
      assertEquals("certified only", d.send(d.device, "STAR").text());
    }
  }

  @Test
  void tls12IsNotOfferedUnlessConfigured() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      SSLSocket s = rawClient(d, d.device);
      s.setEnabledProtocols(new String[] {"TLSv1.2"});
      assertThrows(javax.net.ssl.SSLHandshakeException.class, s::startHandshake);
      s.close();
    }
  }

  private static SecureCmdClient clientOf(TestPki trust, TestPki.Issued as) throws Exception {
    return new SecureCmdClient(new org.securecmd.tls.HandshakeSetup.Builder()
        .addTrustedCertificate(trust.rootCertificate()).certifiedKey(as.certifiedKey()).build());
  }

  /** A plain JSSE client, as any TLS library would connect: no securecmd code involved. */
  static SSLSocket rawClient(TestDaemon d, TestPki.Issued as) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", d.pki.rootCertificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("me", as.keyPair().getPrivate(), new char[0], as.chain().toArray(new java.security.cert.Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", d.port());
    s.setSoTimeout(10_000);
    return s;
  }

}
