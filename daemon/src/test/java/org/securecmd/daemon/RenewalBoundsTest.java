package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertificationRequest;
import org.securecmd.tls.TestPki;

/**
 * What RENEW hands out never widens what was granted: one live successor per certificate, a bounded number
 * of certificates per identity, successors revoked with their unused predecessor, and no certificate that
 * outlives the lifetime of the one it renews.
 */
class RenewalBoundsTest {
  @TempDir Path dir;
  private TestDaemon daemon;

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) daemon.close();
  }

  private static String enrollment(String extra) {
    return """
        [enrollment]
        ca_certificate = "issuing.crt"
        ca_key = "issuing.key"
        validity = "365d"
        renew_before = "3650d"
        allow = ["dev-*"]
        %s
        """.formatted(extra);
  }

  /** A daemon whose issuing CA is TestPki's intermediate; {@code clients} extends [clients]. */
  private void start(String clients, String enrollmentExtra) throws Exception {
    String allow = "allow = [\"trusted-client\", \"dev-*\"]";
    daemon = TestDaemon.start(dir, TestDaemon.config(allow, ""));
    daemon.pki.intermediate().write(dir, "issuing");
    if (!clients.isEmpty()) { // a CRL: from the intermediate, which [clients] ca must then name as well
      Files.writeString(dir.resolve("crl.pem"), TestPki.pem("X509 CRL", daemon.pki.crl().getEncoded()));
      Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE",
          daemon.pki.intermediate().certificate().getEncoded()), StandardOpenOption.APPEND);
      allow += clients;
    }
    daemon.writeConfig(TestDaemon.config(allow, enrollment(enrollmentExtra)));
    TestDaemonAccess.reload(daemon);
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static Reply renew(Connection c, KeyPair key) throws Exception {
    return c.send("RENEW " + Base64.getEncoder().encodeToString(
        CertificationRequest.der(key.getPublic(), key.getPrivate(), "ignored")));
  }

  /** The device as it is after installing what RENEW returned. */
  private static TestPki.Issued installed(Reply r, KeyPair key) throws Exception {
    assertFalse(r.isError(), r.line());
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    List<X509Certificate> chain = new ArrayList<>();
    for (String part : r.text().split(" ")) {
      chain.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(part))));
    }
    return new TestPki.Issued(key, chain);
  }

  private static String serial(TestPki.Issued i) {
    return i.certificate().getSerialNumber().toString(16);
  }

  @Test
  void aNewSuccessorOfACertificateRevokesItsEarlierSuccessorAtOnce() throws Exception {
    start("", "");
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-a").clientAuth());
    TestPki.Issued first;
    TestPki.Issued second;
    try (Connection c = daemon.connect(device)) {
      KeyPair k1 = ec();
      first = installed(renew(c, k1), k1);
      KeyPair k2 = ec();
      second = installed(renew(c, k2), k2);
    }
    Reply r = daemon.send(first, "PING");
    assertTrue(r.isError() && r.errorCode().equals("FORBIDDEN"), "the earlier successor is revoked: " + r.line());
    assertEquals("PONG", daemon.send(second, "PING").text());
  }

  @Test
  void anIdentityGetsAtMostMaxRenewalsCertificatesPerHalfRenewBefore() throws Exception {
    start("", "");
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-b").clientAuth());
    try (Connection c = daemon.connect(device)) {
      for (int i = 0; i < 3; i++) assertFalse(renew(c, ec()).isError(), "renewal " + (i + 1) + " of the default 3");
      Reply fourth = renew(c, ec());
      assertEquals("NOT_DUE", fourth.errorCode(), fourth.line());
      assertTrue(fourth.line().contains("3 certificates") && fourth.line().contains("max_renewals"), fourth.line());
    }
  }

  @Test
  void maxRenewalsIsConfigurable() throws Exception {
    start("", "max_renewals = 1");
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-c").clientAuth());
    try (Connection c = daemon.connect(device)) {
      assertFalse(renew(c, ec()).isError());
      assertEquals("NOT_DUE", renew(c, ec()).errorCode());
    }
  }

  @Test
  void revokingASerialRevokesItsUnusedSuccessorsOnlyAndIssuedShowsTheChain() throws Exception {
    start("", "max_renewals = 10");
    TestPki.Issued unusedOwner = daemon.pki.issue(TestPki.spec("dev-d").clientAuth());
    TestPki.Issued usedOwner = daemon.pki.issue(TestPki.spec("dev-e").clientAuth());
    TestPki.Issued unused;
    TestPki.Issued used;
    try (Connection c = daemon.connect(unusedOwner)) {
      unused = installed(renew(c, unusedOwner.keyPair()), unusedOwner.keyPair());
    }
    try (Connection c = daemon.connect(usedOwner)) {
      used = installed(renew(c, usedOwner.keyPair()), usedOwner.keyPair());
    }
    assertEquals("PONG", daemon.send(used, "PING").text());
    TestDaemonAccess.Admin ctl = TestDaemonAccess.ctl(daemon);
    awaitFirstUse(ctl, serial(used));
    ctl.run("revoke", "--serial", serial(unusedOwner));
    ctl.run("revoke", "--serial", serial(usedOwner));
    Reply r = daemon.send(unused, "PING");
    assertTrue(r.isError() && r.errorCode().equals("FORBIDDEN"), "never used: revoked with its predecessor: " + r.line());
    assertEquals("PONG", daemon.send(used, "PING").text(), "in use before the revocation: stays");
    String issued = ctl.run("issued");
    assertTrue(issued.contains(serial(unusedOwner) + " -> " + serial(unused)), issued);
  }

  private static void awaitFirstUse(TestDaemonAccess.Admin ctl, String serial) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (firstUse(ctl, serial) == null) {
      if (System.nanoTime() > deadline) throw new AssertionError("first use of " + serial + " never recorded");
      Thread.onSpinWait();
    }
  }

  private static Object firstUse(TestDaemonAccess.Admin ctl, String serial) {
    java.util.Map<?, ?> r = (java.util.Map<?, ?>) org.securecmd.daemon.admin.Json.parse(ctl.run("--json", "issued").strip());
    for (Object o : (List<?>) r.get("issued")) {
      java.util.Map<?, ?> i = (java.util.Map<?, ?>) o;
      if (serial.equals(i.get("serial"))) return i.get("first_used_at");
    }
    return null;
  }

  @Test
  void aCrlEntryForASerialRevokesItsUnusedSuccessors() throws Exception {
    start("\ncrl = \"crl.pem\"", "");
    TestPki.Issued device = daemon.pki.issue(TestPki.spec("dev-f").clientAuth());
    TestPki.Issued successor;
    try (Connection c = daemon.connect(device)) {
      KeyPair k = ec();
      successor = installed(renew(c, k), k);
    }
    Files.writeString(dir.resolve("crl.pem"), TestPki.pem("X509 CRL", daemon.pki.crl(device).getEncoded()));
    TestDaemonAccess.reload(daemon);
    Reply r = daemon.send(successor, "PING");
    assertTrue(r.isError() && r.errorCode().equals("FORBIDDEN"), "the CRL's serial takes its unused successor: " + r.line());
  }

  @Test
  void renewalNeverLengthensTheLifetimeOfTheCurrentCertificate() throws Exception {
    start("", "");
    Instant from = Instant.now().minus(Duration.ofMinutes(5));
    TestPki.Issued twoDays = daemon.pki.issue(TestPki.spec("dev-g").clientAuth().validity(from, from.plus(Duration.ofDays(2))));
    TestPki.Issued renewed;
    try (Connection c = daemon.connect(twoDays)) {
      renewed = installed(renew(c, twoDays.keyPair()), twoDays.keyPair());
    }
    Duration lifetime = Duration.between(renewed.certificate().getNotBefore().toInstant(),
        renewed.certificate().getNotAfter().toInstant());
    assertTrue(lifetime.compareTo(Duration.ofDays(2)) <= 0, "a 2-day certificate renews into at most 2 days: " + lifetime);
    assertTrue(renewed.certificate().getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1))), "but renews");
  }
}
