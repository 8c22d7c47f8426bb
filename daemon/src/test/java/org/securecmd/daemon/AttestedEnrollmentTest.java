package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.ca.Issuer;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.attest.VerifiedEk;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.EndorsementKeyType;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.Swtpm;
import org.securecmd.tpm.TpmException;

/**
 * TPM-attested enrollment end to end: a real daemon, real swtpm TPMs with EK certificates from CAs the test
 * makes, the device played through the device's own TPM command layer (org.securecmd.tpm) and the documented
 * verbs. TPM A (RSA-2048 and P-384 EKs, both registered) and TPM B (unregistered, its CA trusted) serve the
 * registered-mode daemon; TPM C's EK CA is unknown to it. The issued certificate's key stays in the TPM: the
 * device uses it for TLS through a test JCA provider that signs with TPM2_Sign.
 */
class AttestedEnrollmentTest {
  private static final Duration STEP = Duration.ofSeconds(3);
  @TempDir static Path dir;
  private static Swtpm a;
  private static Swtpm b;
  private static Swtpm c;
  private static TestDaemon daemon;
  private static Ctl ctl;

  @BeforeAll
  static void start() throws Exception {
    a = Swtpm.start(Files.createDirectories(dir.resolve("tpm-a")));
    b = Swtpm.start(Files.createDirectories(dir.resolve("tpm-b")));
    c = Swtpm.start(Files.createDirectories(dir.resolve("tpm-c")));
    Path d = Files.createDirectories(dir.resolve("daemon"));
    TestPki pki = new TestPki("Fleet");
    pki.intermediate().write(d, "enroll-ca");
    Files.writeString(d.resolve("ek-ca.pem"), Files.readString(a.caCert) + Files.readString(b.caCert));
    daemon = TestDaemon.start(d, config("registered"), pki);
    ctl = new Ctl(daemon.daemon.adminSocket());
    register(a, EndorsementKeyType.RSA_2048, "dev-rsa");
    register(a, EndorsementKeyType.ECC_P384, "dev-ecc");
  }

  @AfterAll
  static void stop() throws Exception {
    if (daemon != null) daemon.close();
    for (Swtpm t : new Swtpm[] {a, b, c}) {
      if (t != null) t.close();
    }
  }

  static String config(String mode) {
    return TestDaemon.config("allow = [\"*\"]", """
        [commands.ATTESTED]
        reply = "ONLY_FOR_TPM_KEYS"
        allow = ["*"]
        require_attested_key = true
        [enrollment]
        ca_certificate = "enroll-ca.crt"
        ca_key = "enroll-ca.key"
        validity = "2h"
        renew_before = "3h"
        allow = ["dev-*"]
        [attestation]
        ek_ca = "ek-ca.pem"
        enroll = "%s"
        step_timeout = "%ds"
        """.formatted(mode, STEP.toSeconds())).replace("reply = \"THIS_IS_THE_SECRET\"\nallow = [\"trusted-client\"]",
            "reply = \"THIS_IS_THE_SECRET\"\nallow = [\"*\"]");
  }

  private static void register(Swtpm tpm, EndorsementKeyType type, String name) throws Exception {
    String ek;
    try (TpmDevice d = TpmDevice.open(tpm, type)) {
      ek = ekSha256(d);
    }
    Ctl.Result r = ctl.run("enroll", "add", name, "--ek-sha256", ek);
    assertEquals(0, r.code(), r.toString());
  }

  private static String ekSha256(TpmDevice d) throws Exception {
    return VerifiedEk.keySha256(certificate(d.tpm.endorsementCertificate(d.type)));
  }

  @Test
  void deviceWithoutCertificateEnrollsWithRsaEkAndServesWithItsTpmKey() throws Exception {
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.RSA_2048)) {
      List<X509Certificate> chain = enroll(dev, "dev-rsa");
      try (Connection tls = client(dev, dev.tls, chain).connect("127.0.0.1", daemon.port())) {
        assertTrue(tls.send("WHOAMI").text().startsWith("cn=dev-rsa"), "WHOAMI with the TPM key");
        assertEquals("THIS_IS_THE_SECRET", tls.send("GET_SECRET").text());
        assertEquals("ONLY_FOR_TPM_KEYS", tls.send("ATTESTED").text(), "require_attested_key serves it");
      }
    }
    Ctl.Result status = ctl.run("status");
    assertTrue(status.out().contains("enrolled since start"), status.toString());
    assertTrue(ctl.run("metrics").out().contains("securecmd_enrollments_total"), "metrics");
  }

  @Test
  void deviceEnrollsWithEccP384Ek() throws Exception {
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.ECC_P384)) {
      enroll(dev, "dev-ecc");
    }
  }

  @Test
  void anEkThatEnrollsAgainGetsItsNameBackAndItsEarlierCertificatesAreDenied() throws Exception {
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.ECC_P384)) {
      List<X509Certificate> first = enroll(dev, "dev-ecc");
      List<X509Certificate> second = enroll(dev, "dev-ecc");
      String serial = first.get(0).getSerialNumber().toString(16);
      Ctl.Result revoked = ctl.run("revoked");
      assertTrue(revoked.out().toLowerCase(java.util.Locale.ROOT).contains(serial), serial + " in " + revoked);
      try (Connection old = client(dev, dev.tls, first).connect("127.0.0.1", daemon.port())) {
        Reply r = old.send("WHOAMI");
        assertEquals(ErrorCode.FORBIDDEN, r.code(), r.toString());
      }
      try (Connection now = client(dev, dev.tls, second).connect("127.0.0.1", daemon.port())) {
        assertTrue(now.send("WHOAMI").text().startsWith("cn=dev-ecc"));
      }
    }
  }

  @Test
  void attestedRekeyNeedsCertifyOfTheNewKeyByTheEnrolledAkOverANonce() throws Exception {
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.RSA_2048)) {
      List<X509Certificate> chain = enroll(dev, "dev-rsa");
      byte[] sameKey = dev.csr(dev.tls);
      try (Connection tls = client(dev, dev.tls, chain).connect("127.0.0.1", daemon.port())) {
        Reply renewed = tls.send("RENEW " + TpmDevice.b64(sameKey));
        assertFalse(renewed.isError(), "the enrollment is no renewal: the same key renews at once: " + renewed);
        assertTrue(Issuer.isTpmAttested(chain(renewed.text()).get(0)), "the same key stays attested");
        dev.flush(dev.tls); // the handshake is done; its slot holds the new key (swtpm has three)
        LoadedKey next = dev.newKey();
        byte[] csr = dev.csr(next);
        Reply plain = tls.send("RENEW " + TpmDevice.b64(csr));
        assertEquals(ErrorCode.BAD_ATTESTATION, plain.code(), plain.toString());

        byte[] nonce = Base64.getDecoder().decode(tls.send("NONCE").text());
        assertEquals(32, nonce.length);
        Attestation certify = dev.tpm.certify(next, dev.ak, nonce);
        String attested = "RENEW " + TpmDevice.b64(csr) + " " + TpmDevice.b64(next.publicArea().marshalled()) + " "
            + TpmDevice.b64(certify.attest()) + " " + TpmDevice.b64(certify.signatureBytes());
        Reply rekeyed = tls.send(attested);
        assertFalse(rekeyed.isError(), rekeyed.toString());
        X509Certificate leaf = chain(rekeyed.text()).get(0);
        assertArrayEquals(next.publicArea().publicKey().getEncoded(), leaf.getPublicKey().getEncoded());
        assertTrue(Issuer.isTpmAttested(leaf), "a renewed attested certificate stays attested");

        Reply replayed = tls.send(attested);
        assertEquals(ErrorCode.BAD_ATTESTATION, replayed.code(), "the nonce was used: " + replayed);
      }
    }
  }

  @Test
  void ekCertificateFromAnUnknownCaIsForbidden() throws Exception {
    try (TpmDevice dev = TpmDevice.open(c, EndorsementKeyType.RSA_2048); Connection conn = anonymous()) {
      Reply r = conn.send(dev.enroll());
      assertEquals(ErrorCode.FORBIDDEN, r.code(), r.toString());
      assertTrue(r.text().startsWith("EK certificate does not chain to ek_ca"), r.text());
    }
  }

  @Test
  void unregisteredEkIsForbiddenInRegisteredMode() throws Exception {
    try (TpmDevice dev = TpmDevice.open(b, EndorsementKeyType.RSA_2048); Connection conn = anonymous()) {
      Reply r = conn.send(dev.enroll());
      assertEquals(ErrorCode.FORBIDDEN, r.code(), r.toString());
      assertEquals("EK not registered (ek-sha256 " + ekSha256(dev) + ")", r.text());
    }
  }

  @Test
  void akOfAnotherTpmOfferedWithThisEkIsRefused() throws Exception {
    try (TpmDevice devA = TpmDevice.open(a, EndorsementKeyType.RSA_2048);
         TpmDevice devB = TpmDevice.open(b, EndorsementKeyType.RSA_2048); Connection conn = anonymous()) {
      Reply r = conn.send(devA.enroll(devB.ak));
      assertFalse(r.isError(), r.toString());
      TpmDevice.Challenge ch = TpmDevice.Challenge.parse(r.text());
      assertThrows(TpmException.class, () -> devA.activate(ch), "A's TPM cannot activate a credential for B's AK");
      byte[] guessed = new byte[32];
      Reply proof = conn.send(TpmDevice.proof(guessed, devB.csr(devB.tls), devB.tls,
          devB.tpm.certify(devB.tls, devB.ak, ch.nonce())));
      assertRefused(proof, "the activated secret is not the credential's");
    }
  }

  @Test
  void keyImportedIntoTheTpmIsRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair outside = g.generateKeyPair();
    Path work = a.dir;
    Files.writeString(work.resolve("outside.pem"), TestPki.pem("PRIVATE KEY", outside.getPrivate().getEncoded()));
    // tpm2-tools without a resource manager leave their objects loaded: flush after each (swtpm holds three)
    try {
      a.tool("tpm2_createprimary", "-C", "o", "-c", "import-parent.ctx");
      a.flush();
      a.tool("tpm2_import", "-C", "import-parent.ctx", "-G", "ecc", "-i", "outside.pem", "-a", "userwithauth|sign",
          "-u", "outside.pub", "-r", "outside.priv");
      a.flush();
      a.tool("tpm2_load", "-C", "import-parent.ctx", "-u", "outside.pub", "-r", "outside.priv", "-c", "outside.ctx");
      a.flush();
      a.tool("tpm2_evictcontrol", "-C", "o", "-c", "outside.ctx", "0x81000123");
    } finally {
      a.flush();
    }
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.RSA_2048); Connection conn = anonymous()) {
      LoadedKey imported = dev.tpm.persistentKey(0x81000123);
      try {
        TpmDevice.Challenge ch = TpmDevice.Challenge.parse(conn.send(dev.enroll()).text());
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=dev-rsa"), outside.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(outside.getPrivate())).getEncoded();
        Reply r = conn.send(TpmDevice.proof(dev.activate(ch), csr, imported,
            dev.tpm.certify(imported, dev.ak, ch.nonce())));
        assertRefused(r, "TLS key lacks the attribute sensitiveDataOrigin");
      } finally {
        dev.tpm.evict(0x81000123);
      }
    }
  }

  @Test
  void csrOfAKeyOtherThanTheCertifiedOneIsRefused() throws Exception {
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.RSA_2048); Connection conn = anonymous()) {
      LoadedKey certified = dev.tls;
      TpmDevice.Challenge ch = TpmDevice.Challenge.parse(conn.send(dev.enroll()).text());
      byte[] secret = dev.activate(ch);
      Attestation certify = dev.tpm.certify(certified, dev.ak, ch.nonce());
      dev.flush(certified);
      LoadedKey other = dev.newKey();
      Reply r = conn.send(TpmDevice.proof(secret, dev.csr(other), certified, certify));
      assertRefused(r, "the CSR's key is not the certified key");
    }
  }

  @Test
  void replayedProofSecretOrCertifyIsRefused() throws Exception {
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.RSA_2048); Connection conn = anonymous()) {
      TpmDevice.Challenge first = TpmDevice.Challenge.parse(conn.send(dev.enroll()).text());
      byte[] secret = dev.activate(first);
      byte[] csr = dev.csr(dev.tls);
      Attestation certify = dev.tpm.certify(dev.tls, dev.ak, first.nonce());
      String proof = TpmDevice.proof(secret, csr, dev.tls, certify);
      Reply issued = conn.send(proof);
      assertFalse(issued.isError(), issued.toString());

      assertRefused(conn.send(proof),
          "no ENROLL challenge on this connection (each is answered once); send ENROLL first");

      TpmDevice.Challenge second = TpmDevice.Challenge.parse(conn.send(dev.enroll()).text());
      assertRefused(conn.send(proof), "the activated secret is not the credential's");
      TpmDevice.Challenge third = TpmDevice.Challenge.parse(conn.send(dev.enroll()).text());
      assertRefused(conn.send(TpmDevice.proof(dev.activate(third), csr, dev.tls, certify)),
          "certify extraData is not this connection's nonce");
      assertFalse(java.util.Arrays.equals(second.nonce(), third.nonce()), "a fresh nonce per ENROLL");
    }
  }

  @Test
  void certifySignedByAnotherAkIsRefused() throws Exception {
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.RSA_2048); Connection conn = anonymous()) {
      TpmDevice.Challenge ch = TpmDevice.Challenge.parse(conn.send(dev.enroll()).text());
      byte[] secret = dev.activate(ch);
      byte[] csr = dev.csr(dev.tls);
      dev.flush(dev.ak);
      LoadedKey otherAk = dev.newAk();
      Reply r = conn.send(TpmDevice.proof(secret, csr, dev.tls, dev.tpm.certify(dev.tls, otherAk, ch.nonce())));
      assertEquals(ErrorCode.BAD_ATTESTATION, r.code(), r.toString());
      assertTrue(r.text().contains("AK"), r.text());
    }
  }

  @Test
  void revokedIdentityCannotEnrollUntilUnrevoked() throws Exception {
    assertEquals(0, ctl.run("revoke", "dev-ecc").code());
    try (TpmDevice dev = TpmDevice.open(a, EndorsementKeyType.ECC_P384); Connection conn = anonymous()) {
      Reply r = conn.send(dev.enroll());
      assertEquals(ErrorCode.FORBIDDEN, r.code(), r.toString());
      assertEquals("identity \"dev-ecc\" is revoked", r.text());
    } finally {
      assertEquals(0, ctl.run("unrevoke", "dev-ecc").code());
    }
  }

  @Test
  void clientWithoutCertificateGetsOnlyTheEnrollmentVerbsAndIsClosedAfterStepTimeout() throws Exception {
    SSLSocket s = (SSLSocket) new HandshakeSetup.Builder().addTrustedCertificate(daemon.pki.rootCertificate()).build()
        .newSslContext().getSocketFactory().createSocket("127.0.0.1", daemon.port());
    try (s) {
      s.setSoTimeout((int) STEP.multipliedBy(5).toMillis());
      long start = System.nanoTime();
      s.getOutputStream().write("PING\nGET_SECRET\nATTESTED\nNO_SUCH_VERB\nWHOAMI\n".getBytes(StandardCharsets.UTF_8));
      InputStream in = s.getInputStream();
      assertEquals("PONG", line(in));
      for (int i = 0; i < 3; i++) {
        String refused = line(in);
        assertTrue(refused.startsWith("ERR FORBIDDEN a client certificate is required"), refused);
      }
      assertNotNull(line(in), "WHOAMI answers");
      assertEquals(-1, in.read(), "closed without progress");
      long waited = System.nanoTime() - start;
      assertTrue(waited >= STEP.toNanos() - Duration.ofMillis(200).toNanos(), "closed after step_timeout: " + waited);
    }
  }

  @Test
  void requireAttestedKeyRefusesACertificateOfTheSameCaForAPemKey() throws Exception {
    try (Connection pem = daemon.connect(daemon.device)) {
      assertEquals("THIS_IS_THE_SECRET", pem.send("GET_SECRET").text());
      Reply r = pem.send("ATTESTED");
      assertEquals(ErrorCode.FORBIDDEN, r.code(), r.toString());
      assertTrue(r.text().contains("require_attested_key"), r.text());
    }
  }

  @Test
  void approveModeMakesTheProvenRequestPendingUntilAnOperatorApprovesIt(@TempDir Path other) throws Exception {
    TestPki pki = new TestPki("Approve");
    pki.intermediate().write(other, "enroll-ca");
    Files.writeString(other.resolve("ek-ca.pem"), Files.readString(a.caCert) + Files.readString(b.caCert));
    try (TestDaemon approving = TestDaemon.start(other, config("approve"), pki);
         TpmDevice dev = TpmDevice.open(b, EndorsementKeyType.RSA_2048)) {
      Ctl admin = new Ctl(approving.daemon.adminSocket());
      String id;
      try (Connection conn = approving.client(null).connect("127.0.0.1", approving.port())) {
        TpmDevice.Challenge ch = TpmDevice.Challenge.parse(conn.send(dev.enroll()).text());
        Reply pending = conn.send(dev.proof(ch));
        assertEquals(ErrorCode.PENDING, pending.code(), pending.toString());
        id = pending.text();
        assertEquals(ekSha256(dev).substring(0, 12), id, "the id is stable per EK");
      }
      Ctl.Result approved = admin.run("enroll", "approve", id, "dev-approved");
      assertEquals(0, approved.code(), approved.toString());
      try (Connection conn = approving.client(null).connect("127.0.0.1", approving.port())) {
        TpmDevice.Challenge ch = TpmDevice.Challenge.parse(conn.send(dev.enroll()).text());
        Reply issued = conn.send(dev.proof(ch));
        assertFalse(issued.isError(), issued.toString());
        assertEquals(new X500Principal("CN=dev-approved"), chain(issued.text()).get(0).getSubjectX500Principal());
      }
    }
  }

  @Test
  void connectionsWithoutCertificateBeyondTheEnrollmentCapsAreBusy(@TempDir Path other) throws Exception {
    TestPki pki = new TestPki("Caps");
    pki.intermediate().write(other, "enroll-ca");
    Files.copy(dir.resolve("daemon/ek-ca.pem"), other.resolve("ek-ca.pem"));
    String capped = config("registered").replace("[attestation]\n",
        "[attestation]\nmax_enrollments_per_address = 1\nmax_enrollments = 1\n");
    try (TestDaemon d = TestDaemon.start(other, capped, pki);
         Connection first = d.client(null).connect("127.0.0.1", d.port())) {
      assertEquals("PONG", first.send("PING").text());
      try (Connection second = d.client(null).connect("127.0.0.1", d.port())) {
        Reply r = second.send("PING");
        assertEquals(ErrorCode.BUSY, r.code(), r.toString());
        assertEquals("too many enrollments in progress from this address (max_enrollments_per_address 1)", r.text());
      }
      try (Connection certified = d.connect(d.device)) {
        assertEquals("PONG", certified.send("PING").text(), "devices with certificates are not counted");
      }
    }
  }

  @Test
  void aReloadWithoutAttestationClosesTheConnectionsWithoutCertificate(@TempDir Path other) throws Exception {
    TestPki pki = new TestPki("Reload");
    pki.intermediate().write(other, "enroll-ca");
    Files.copy(dir.resolve("daemon/ek-ca.pem"), other.resolve("ek-ca.pem"));
    String with = config("registered");
    String without = with.substring(0, with.indexOf("[attestation]"));
    try (TestDaemon d = TestDaemon.start(other, with, pki);
         Connection conn = d.client(null).connect("127.0.0.1", d.port())) {
      assertEquals("PONG", conn.send("PING").text());
      d.writeConfig(without);
      d.daemon.reload();
      Reply r = conn.send("PING");
      assertEquals(ErrorCode.FORBIDDEN, r.code(), r.toString());
      assertEquals("a client certificate is required", r.text());
    }
  }

  /** The whole exchange on a connection without a certificate; checks the issued chain and returns it. */
  private static List<X509Certificate> enroll(TpmDevice dev, String name) throws Exception {
    try (Connection conn = anonymous()) {
      Reply challenge = conn.send(dev.enroll());
      assertFalse(challenge.isError(), challenge.toString());
      TpmDevice.Challenge ch = TpmDevice.Challenge.parse(challenge.text());
      assertEquals(32, ch.nonce().length);
      Reply issued = conn.send(dev.proof(ch));
      assertFalse(issued.isError(), issued.toString());
      List<X509Certificate> chain = chain(issued.text());
      X509Certificate leaf = chain.get(0);
      assertEquals(new X500Principal("CN=" + name), leaf.getSubjectX500Principal(), "CN= the registered name only");
      assertTrue(Issuer.isTpmAttested(leaf), "the attested-key extension");
      assertFalse(leaf.getCriticalExtensionOIDs().contains(Issuer.TPM_ATTESTED_KEY_OID), "non-critical");
      assertArrayEquals(dev.tls.publicArea().publicKey().getEncoded(), leaf.getPublicKey().getEncoded(),
          "the certificate is for the key the TPM certified");
      Reply other = conn.send("GET_SECRET");
      assertEquals(ErrorCode.FORBIDDEN, other.code(), "still without a certificate on this connection");
      return chain;
    }
  }

  private static void assertRefused(Reply r, String reason) {
    assertEquals(ErrorCode.BAD_ATTESTATION, r.code(), r.toString());
    assertEquals(reason, r.text());
  }

  private static Connection anonymous() throws Exception {
    return daemon.client(null).connect("127.0.0.1", daemon.port());
  }

  private static SecureCmdClient client(TpmDevice dev, LoadedKey key, List<X509Certificate> chain) throws Exception {
    List<X509Certificate> full = new ArrayList<>(chain);
    return new SecureCmdClient(new HandshakeSetup.Builder().addTrustedCertificate(daemon.pki.rootCertificate())
        .certifiedKey(dev.certifiedKey(key, full)).build(), Duration.ofSeconds(10));
  }

  private static List<X509Certificate> chain(String reply) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    for (String f : reply.split(" ")) out.add(certificate(Base64.getDecoder().decode(f)));
    return out;
  }

  private static X509Certificate certificate(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  /** One line, or null at the end of the stream. */
  private static String line(InputStream in) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int ch = in.read(); ch != '\n'; ch = in.read()) {
      if (ch < 0) return b.isEmpty() ? null : b.toString();
      b.append((char) ch);
    }
    return b.toString();
  }
}
