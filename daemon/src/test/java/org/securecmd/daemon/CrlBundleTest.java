package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;

/**
 * A CRL file with several CRLs, made by the real {@code openssl ca}: the root's and the intermediate's in one
 * file, or a newer CRL appended to an older one. Every block counts; a block the daemon cannot verify against
 * {@code [clients] ca} stops the load and names the block.
 */
class CrlBundleTest {
  @TempDir static Path pki;
  static OpensslCa root;
  static OpensslCa fleet;
  static Path rootCrl;
  static Path fleetCrlOld;
  static Path fleetCrlNew;

  @BeforeAll
  static void opensslPki() throws Exception {
    root = OpensslCa.root(pki, "Fleet Root CA");
    fleet = root.intermediate("Fleet Intermediate CA");
    fleet.issueServer("server");
    for (String d : new String[] {"device-1", "device-2", "device-3"}) fleet.issueDevice(d);
    rootCrl = root.crl("root.crl");
    fleet.revoke("device-2");
    fleetCrlOld = fleet.crl("fleet-old.crl");
    fleet.revoke("device-3");
    fleetCrlNew = fleet.crl("fleet-new.crl");
    // [clients] ca: the root, and the intermediate beside it because it signs the second CRL.
    Files.writeString(pki.resolve("client-ca.pem"), Files.readString(root.certificate())
        + Files.readString(fleet.certificate()));
  }

  @Test
  void aDeviceRevokedByTheSecondCrlOfABundleIsRefused(@TempDir Path dir) throws Exception {
    Path bundle = bundle(dir, rootCrl, fleetCrlNew);
    Daemon.Started d = start(dir, bundle);
    try {
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate revoked (CRL)"), send(d, "device-2"));
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate revoked (CRL)"), send(d, "device-3"));
      assertEquals("THIS_IS_THE_SECRET", send(d, "device-1").text(), "a device nobody revoked is served");
    } finally {
      d.stop();
    }
  }

  @Test
  void aNewerCrlAppendedToAnOlderOneRevokesWhatOnlyTheNewerNames(@TempDir Path dir) throws Exception {
    Daemon.Started d = start(dir, bundle(dir, fleetCrlOld, fleetCrlNew));
    try {
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate revoked (CRL)"), send(d, "device-3"));
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate revoked (CRL)"), send(d, "device-2"));
      assertEquals("THIS_IS_THE_SECRET", send(d, "device-1").text());
      // one metric series per issuer, not one per CRL of the bundle (a duplicate series breaks the scrape)
      java.util.Map<?, ?> m = (java.util.Map<?, ?>) org.securecmd.daemon.admin.Json.parse(
          new Ctl(d.adminSocket()).run("--json", "metrics").out().strip());
      java.util.List<String> series = String.valueOf(m.get("text")).lines()
          .filter(l -> l.startsWith("securecmd_crl_next_update_seconds{")).toList();
      assertEquals(1, series.size(), series.toString());
      assertTrue(series.get(0).startsWith("securecmd_crl_next_update_seconds{issuer=\"Fleet Intermediate CA\"} "),
          series.toString());
    } finally {
      d.stop();
    }
  }

  @Test
  void theCrlNumbersOpensslWroteAreReadSoTheNewerCrlOfAnIssuerIsKnown() throws Exception {
    java.security.cert.CertificateFactory f = java.security.cert.CertificateFactory.getInstance("X.509");
    java.util.List<java.math.BigInteger> numbers = new java.util.ArrayList<>();
    for (Path crl : new Path[] {fleetCrlOld, fleetCrlNew}) {
      try (var in = Files.newInputStream(crl)) {
        java.security.cert.X509CRL x = (java.security.cert.X509CRL) f.generateCRL(in);
        numbers.add(org.securecmd.daemon.tls.CrlWatcher.InForce.of("Fleet Intermediate CA", x).number().orElseThrow());
      }
    }
    assertEquals(1, numbers.get(1).compareTo(numbers.get(0)), numbers.toString());
  }

  @Test
  void aCrlFromACaNotInClientsCaIsAConfigErrorNamingTheBlock(@TempDir Path dir) throws Exception {
    OpensslCa stranger = OpensslCa.root(dir, "Stranger CA");
    Path bundle = bundle(dir, rootCrl, stranger.crl("stranger.crl"));
    ConfigException e = assertThrows(ConfigException.class, () -> start(dir, bundle));
    assertEquals(dir.resolve("config.toml") + ":10: [clients] crl = \"" + bundle + "\": block 2 of 2 (issuer "
        + "CN=Stranger CA) is not signed by any certificate in [clients] ca: no CA there has that name", e.getMessage());
  }

  @Test
  void aCrlThatDoesNotVerifyAgainstItsNamedCaIsAConfigErrorNamingTheBlock(@TempDir Path dir) throws Exception {
    // Same name as the real intermediate, another key: its CRL names the right issuer but cannot verify.
    OpensslCa impostor = OpensslCa.root(dir, "Fleet Intermediate CA");
    Path bundle = bundle(dir, fleetCrlNew, rootCrl, impostor.crl("impostor.crl"));
    ConfigException e = assertThrows(ConfigException.class, () -> start(dir, bundle));
    assertEquals(dir.resolve("config.toml") + ":10: [clients] crl = \"" + bundle + "\": block 3 of 3 (issuer "
        + "CN=Fleet Intermediate CA) does not verify against the certificate named CN=Fleet Intermediate CA in "
        + "[clients] ca (wrong key, a damaged CRL, or a CA that may not sign CRLs)", e.getMessage());
  }

  @Test
  void aBlockThatIsNotACrlIsAConfigErrorNamingTheBlock(@TempDir Path dir) throws Exception {
    Path bundle = bundle(dir, rootCrl, root.certificate());
    ConfigException e = assertThrows(ConfigException.class, () -> start(dir, bundle));
    assertEquals(dir.resolve("config.toml") + ":10: [clients] crl = \"" + bundle + "\": block 2 of 2 is a "
        + "CERTIFICATE; the file must hold only X509 CRL blocks", e.getMessage());
  }

  @Test
  void theRootsCrlRevokingTheIntermediateRefusesEveryDeviceUnderIt(@TempDir Path dir) throws Exception {
    // A CA of its own, so that revoking its intermediate does not disturb the other tests.
    OpensslCa otherRoot = OpensslCa.root(dir, "Other Root CA");
    OpensslCa otherFleet = otherRoot.intermediate("Other Intermediate CA");
    otherFleet.issueDevice("device-9");
    Path fleetCrl = otherFleet.crl("other-fleet.crl");
    otherRoot.revoke("Other Intermediate CA");
    Path bundle = bundle(dir, fleetCrl, otherRoot.crl("other-root.crl"));
    Files.writeString(dir.resolve("client-ca.pem"), Files.readString(root.certificate())
        + Files.readString(fleet.certificate()) + Files.readString(otherRoot.certificate())
        + Files.readString(otherFleet.certificate()));
    Daemon.Started d = start(dir, bundle, dir.resolve("client-ca.pem"));
    try {
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate revoked (CRL)"), send(d, dir, "device-9"));
      // device-1's chain holds an intermediate with the revoked serial number (0x1000) under another issuer.
      assertEquals("THIS_IS_THE_SECRET", send(d, "device-1").text());
    } finally {
      d.stop();
    }
  }

  private static Path bundle(Path dir, Path... parts) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Path p : parts) b.append(Files.readString(p));
    Path bundle = dir.resolve("crl-bundle.pem");
    Files.writeString(bundle, b);
    assertTrue(b.toString().contains("-----BEGIN X509 CRL-----"), "openssl wrote PEM CRLs");
    return bundle;
  }

  private static Daemon.Started start(Path dir, Path crl) throws Exception {
    return start(dir, crl, pki.resolve("client-ca.pem"));
  }

  private static Daemon.Started start(Path dir, Path crl, Path clientCa) throws Exception {
    Path config = dir.resolve("config.toml");
    Files.writeString(config, """
        [server]
        listen = "127.0.0.1:0"
        [tls]
        certificate = "%s"
        private_key = "%s"
        [clients]
        auth = "required"
        ca = "%s"
        allow = ["device-*"]
        crl = "%s"
        [admin]
        socket = "%s"
        [state]
        directory = "%s"
        [commands.GET_SECRET]
        reply = "THIS_IS_THE_SECRET"
        allow = ["device-*"]
        """.formatted(pki.resolve("server.crt"), pki.resolve("server.key"), clientCa, crl,
        dir.resolve("admin.sock"), dir.resolve("state")));
    return TestDaemon.startOnLoopback(config);
  }

  private static Reply send(Daemon.Started d, String device) throws Exception {
    return send(d, pki, device);
  }

  private static Reply send(Daemon.Started d, Path keys, String device) throws Exception {
    SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder()
        .addTrustedCertificates(Pem.readCertificates(root.certificate()))
        .certifiedKey(CertifiedKey.load(keys.resolve(device + ".crt"), keys.resolve(device + ".key"))).build());
    try (Connection c = client.connect("127.0.0.1", d.port())) {
      return c.send("GET_SECRET");
    }
  }
}
