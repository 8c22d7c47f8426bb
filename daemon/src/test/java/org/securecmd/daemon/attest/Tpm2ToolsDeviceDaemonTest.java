package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.TestDaemon;
import org.securecmd.daemon.TestDaemonAccess;
import org.securecmd.tls.TestPki;
import org.securecmd.tpm.Swtpm;

/**
 * {@code scripts/tpm2-device.sh} against a real daemon on loopback: a device made only of tpm2-tools,
 * OpenSSL's tpm2 provider and a raw TPM2_Certify enrolls through ENROLL and ENROLL-PROOF (RSA and P-384 EKs,
 * registered and approve modes), then completes mutual TLS with its TPM key and quotes its PCRs for a
 * {@code require_state} command. The TPM is a swtpm behind tpm2-abrmd (the
 * tpm2 provider holds the TPM for the whole connection while tpm2-tools quote, as with /dev/tpmrm0 on a
 * board). One TPM for the class.
 */
class Tpm2ToolsDeviceDaemonTest {
  private static final Path SCRIPT = Path.of("../scripts/tpm2-device.sh").toAbsolutePath();

  @TempDir
  static Path tpmDir;
  static Swtpm tpm;
  static Tabrmd rm;
  @TempDir
  Path dir;
  private TestDaemon daemon;

  @BeforeAll
  static void tpmBehindAResourceManager() throws Exception {
    tpm = Swtpm.start(tpmDir.resolve("tpm"));
    rm = Tabrmd.start(tpmDir.resolve("rm"), tpm);
  }

  @AfterAll
  static void stopTpm() throws Exception {
    if (rm != null) rm.close();
    if (tpm != null) tpm.close();
  }

  @AfterEach
  void stopDaemon() throws Exception {
    if (daemon != null) daemon.close();
  }

  @Test
  void aCertificateForTheTpmKeyGetsTheSecretOverMutualTlsThroughTheTpm2Provider() throws Exception {
    daemon = TestDaemon.start(dir, TestDaemon.config("", ""));
    Path device = Files.createDirectories(dir.resolve("device"));
    run(Map.of(), "keys", device.toString()).ok();
    run(Map.of(), "csr", device.toString()).ok();
    writeChain(device, issueFromCsr(daemon.pki, device.resolve("csr.der"), "trusted-client"));

    Run secret = run(Map.of(), "command", "127.0.0.1", String.valueOf(daemon.port()), dir.resolve("ca.crt").toString(),
        device.toString(), "GET_SECRET");
    Run whoami = run(Map.of(), "command", "127.0.0.1", String.valueOf(daemon.port()), dir.resolve("ca.crt").toString(),
        device.toString(), "WHOAMI");

    assertEquals("THIS_IS_THE_SECRET", secret.ok());
    assertTrue(whoami.ok().contains("cn=trusted-client"), whoami.out());
  }

  @Test
  void aServerTheCaFileDoesNotVouchForIsRefusedBeforeAnyRequest() throws Exception {
    daemon = TestDaemon.start(dir, TestDaemon.config("", ""));
    Path other = new TestPki("Other").writeRoot(dir.resolve("other-ca.crt"));
    Path device = Files.createDirectories(dir.resolve("device"));
    run(Map.of(), "keys", device.toString()).ok();
    run(Map.of(), "csr", device.toString()).ok();
    writeChain(device, issueFromCsr(daemon.pki, device.resolve("csr.der"), "trusted-client"));

    Run r = run(Map.of(), "command", "127.0.0.1", String.valueOf(daemon.port()), other.toString(), device.toString(),
        "GET_SECRET");

    assertEquals(3, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("verify") || r.err().contains("certificate"), r.err());
  }

  @Test
  void aRegisteredDeviceEnrollsWithTheDocumentedVerbsAndThenGetsTheSecretWithItsTpmKey() throws Exception {
    startWithAttestation();
    Path device = Files.createDirectories(dir.resolve("device"));
    register("dev-tpm1", ekCertificate(device));

    Run enrolled = run(Map.of("CN", "asks-for-another-name"), "enroll", "127.0.0.1", String.valueOf(daemon.port()),
        dir.resolve("ca.crt").toString(), device.toString());

    assertEquals("enrolled: subject=CN = dev-tpm1", enrolled.ok(), enrolled.err());
    X509Certificate issued = org.securecmd.tls.Pem.readCertificates(device.resolve("cert.pem")).get(0);
    assertEquals(daemon.pki.intermediate().certificate(),
        org.securecmd.tls.Pem.readCertificates(device.resolve("chain.pem")).get(0), "RENEW's chain: the issuing CA");
    assertTrue(java.util.Arrays.equals(issued.getPublicKey().getEncoded(),
        TpmPublic.parse("k", Files.readAllBytes(device.resolve("tls.pub"))).publicKey("k").getEncoded()),
        "the certificate is for the key made in the TPM");
    String port = String.valueOf(daemon.port());
    String ca = dir.resolve("ca.crt").toString();
    assertEquals("THIS_IS_THE_SECRET",
        run(Map.of(), "command", "127.0.0.1", port, ca, device.toString(), "GET_SECRET").ok());
    String whoami = run(Map.of(), "command", "127.0.0.1", port, ca, device.toString(), "WHOAMI").ok();
    assertTrue(whoami.contains("cn=dev-tpm1"), whoami);
  }

  @Test
  void aDeviceWithSwtpmsP384EkEnrollsAndGetsTheSecretToo() throws Exception {
    startWithAttestation();
    Path device = Files.createDirectories(dir.resolve("device-ecc"));
    Path ekCert = device.resolve("factory-ek.der");
    exec(Map.of(), List.of("tpm2_nvread", "0x01c00016", "-C", "o", "-o", ekCert.toString())).ok();
    register("dev-tpm-ecc", ekCert);
    Map<String, String> ecc = Map.of("EK", "ecc", "AK_HANDLE", "0x81018011", "KEY_HANDLE", "0x81000012");
    String port = String.valueOf(daemon.port());
    String ca = dir.resolve("ca.crt").toString();

    Run enrolled = run(ecc, "enroll", "127.0.0.1", port, ca, device.toString());

    assertEquals("enrolled: subject=CN = dev-tpm-ecc", enrolled.ok(), enrolled.err());
    assertEquals("THIS_IS_THE_SECRET",
        run(ecc, "command", "127.0.0.1", port, ca, device.toString(), "GET_SECRET").ok());
  }

  @Test
  void inApproveModeTheDeviceIsPendingUntilTheOperatorApprovesAndThenEnrollsByRunningAgain() throws Exception {
    startWithAttestation("approve");
    Path device = Files.createDirectories(dir.resolve("device"));
    String port = String.valueOf(daemon.port());
    String ca = dir.resolve("ca.crt").toString();

    Run pending = run(Map.of(), "enroll", "127.0.0.1", port, ca, device.toString());
    assertEquals(1, pending.code(), pending.out() + pending.err());
    assertTrue(pending.out().startsWith("ERR PENDING "), pending.out());
    String id = pending.out().strip().split(" ")[2];
    TestDaemonAccess.ctl(daemon).run("enroll", "approve", id, "dev-approved");
    Run enrolled = run(Map.of(), "enroll", "127.0.0.1", port, ca, device.toString());

    assertEquals("enrolled: subject=CN = dev-approved", enrolled.ok(), enrolled.err());
    assertEquals("THIS_IS_THE_SECRET",
        run(Map.of(), "command", "127.0.0.1", port, ca, device.toString(), "GET_SECRET").ok());
  }

  @Test
  void anEnrolledDeviceInTheKnownGoodStateGetsTheProtectedCommandAfterQuotingAndLosesItOnceAPcrMoves()
      throws Exception {
    byte[] event = new byte[32];
    new java.security.SecureRandom().nextBytes(event);
    exec(Map.of(), List.of("tpm2_pcrreset", "16")).ok();
    exec(Map.of(), List.of("tpm2_pcrextend", "16:sha256=" + java.util.HexFormat.of().formatHex(event))).ok();
    String golden = java.util.HexFormat.of().formatHex(HashAlg.SHA256.digest(new byte[32], event));
    startWithAttestation("registered", """
        [commands.UNLOCK]
        reply = "DISK_KEY_ONLY_IN_GOLDEN_STATE"
        allow = ["dev-*"]
        require_state = "golden"
        [attestation.states.golden]
        pcrs = [16]
        allowed = [ { "16" = "%s" } ]
        """.formatted(golden));
    Path device = Files.createDirectories(dir.resolve("device"));
    register("dev-tpm-q", ekCertificate(device));
    String port = String.valueOf(daemon.port());
    String ca = dir.resolve("ca.crt").toString();
    run(Map.of(), "enroll", "127.0.0.1", port, ca, device.toString()).ok();

    Run unquoted = run(Map.of(), "command", "127.0.0.1", port, ca, device.toString(), "UNLOCK");
    Run quoted = run(Map.of(), "quote-then", "127.0.0.1", port, ca, device.toString(), "16", "UNLOCK");
    exec(Map.of(), List.of("tpm2_pcrextend", "16:sha256=" + java.util.HexFormat.of().formatHex(event))).ok();
    Run moved = run(Map.of(), "quote-then", "127.0.0.1", port, ca, device.toString(), "16", "UNLOCK");

    assertEquals("ERR ATTESTATION_REQUIRED golden sha256:16", unquoted.out().strip(), "what to quote");
    assertEquals(0, quoted.code(), quoted.out() + quoted.err());
    assertEquals(List.of("ATTESTED golden", "DISK_KEY_ONLY_IN_GOLDEN_STATE"), quoted.out().strip().lines().toList());
    assertEquals(1, moved.code(), moved.out() + moved.err());
    List<String> lines = moved.out().strip().lines().toList();
    assertTrue(lines.get(0).startsWith("ERR STATE_MISMATCH "), lines.toString());
    assertEquals("ERR ATTESTATION_REQUIRED golden sha256:16", lines.get(1));
    assertEquals("PONG", run(Map.of(), "command", "127.0.0.1", port, ca, device.toString(), "PING").ok());
  }

  @Test
  void anUnregisteredDeviceIsRefusedWithTheServersReasonAndExitsOne() throws Exception {
    startWithAttestation();
    Path device = Files.createDirectories(dir.resolve("device"));

    Run r = run(Map.of(), "enroll", "127.0.0.1", String.valueOf(daemon.port()), dir.resolve("ca.crt").toString(),
        device.toString());

    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().startsWith("ERR FORBIDDEN"), r.out());
    assertTrue(Files.notExists(device.resolve("cert.pem")) || Files.size(device.resolve("cert.pem")) == 0);
  }

  @Test
  void theNonceVerbAnswersThirtyTwoBytesToTheEnrolledDevice() throws Exception {
    startWithAttestation();
    Path device = Files.createDirectories(dir.resolve("device"));
    register("dev-tpm2", ekCertificate(device));
    run(Map.of(), "enroll", "127.0.0.1", String.valueOf(daemon.port()), dir.resolve("ca.crt").toString(),
        device.toString()).ok();

    String nonce = run(Map.of(), "command", "127.0.0.1", String.valueOf(daemon.port()),
        dir.resolve("ca.crt").toString(), device.toString(), "NONCE").ok();

    assertEquals(32, java.util.Base64.getDecoder().decode(nonce).length, nonce);
  }

  /** {@code securecmdctl enroll add NAME --ek-cert FILE}, as the operator registers a device from the factory. */
  private void register(String name, Path ekCertificate) {
    TestDaemonAccess.ctl(daemon).run("enroll", "add", name, "--ek-cert", ekCertificate.toString());
  }

  /** The TPM's RSA EK certificate, read from NV as the factory would, written as DER for securecmdctl. */
  private static Path ekCertificate(Path device) throws Exception {
    Path file = device.resolve("factory-ek.der");
    exec(Map.of(), List.of("tpm2_nvread", "0x01c00002", "-C", "o", "-o", file.toString())).ok();
    return file;
  }

  @Test
  void aServerThatCannotBeReachedIsExitFourAsWithSecurecmdClient() throws Exception {
    int closed;
    try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = probe.getLocalPort();
    }
    Path device = Files.createDirectories(dir.resolve("device"));

    Run r = run(Map.of(), "enroll", "127.0.0.1", String.valueOf(closed), tpm.caCert.toString(), device.toString());

    assertEquals(4, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("cannot reach the server"), r.err());
  }

  /** The daemon the script enrolls with: [attestation] trusting swtpm's EK CA, GET_SECRET only to attested keys. */
  private static String attestationConfig(String ekCa, String mode) {
    return attestationConfig(ekCa, mode, "");
  }

  /** @param extra tables after the rest (a state and a command that requires it) */
  private static String attestationConfig(String ekCa, String mode, String extra) {
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
        auth = "required"
        allow = ["trusted-client", "dev-*"]
        [admin]
        socket = "admin.sock"
        [state]
        directory = "state"
        [enrollment]
        ca_certificate = "issuing.crt"
        ca_key = "issuing.key"
        validity = "30d"
        allow = ["dev-*"]
        [attestation]
        ek_ca = "%s"
        enroll = "%s"
        [commands.GET_SECRET]
        reply = "THIS_IS_THE_SECRET"
        allow = ["dev-*"]
        require_attested_key = true
        %s
        """.formatted(ekCa, mode, extra);
  }

  /** A daemon with [attestation]; the issuing CA is TestPki's intermediate (issued by the root in ca.crt). */
  private TestDaemon startWithAttestation() throws Exception {
    return startWithAttestation("registered");
  }

  private TestDaemon startWithAttestation(String mode) throws Exception {
    return startWithAttestation(mode, "");
  }

  private TestDaemon startWithAttestation(String mode, String extra) throws Exception {
    daemon = TestDaemon.start(dir, TestDaemon.config("", ""));
    daemon.pki.intermediate().write(dir, "issuing"); // the issuing CA's files exist once TestDaemon made the PKI
    daemon.writeConfig(attestationConfig(tpm.caCert.toString(), mode, extra));
    TestDaemonAccess.reload(daemon);
    return daemon;
  }

  /** A device certificate from TestPki's intermediate for the key of a DER CSR (as the CA tool would). */
  static List<X509Certificate> issueFromCsr(TestPki pki, Path csrFile, String cn) throws Exception {
    var csr = new org.bouncycastle.pkcs.PKCS10CertificationRequest(Files.readAllBytes(csrFile));
    var key = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(csr).getPublicKey();
    TestPki.Issued ca = pki.intermediate();
    var b = new JcaX509v3CertificateBuilder(ca.certificate(), BigInteger.valueOf(System.nanoTime()),
        Date.from(Instant.now().minus(Duration.ofMinutes(5))), Date.from(Instant.now().plus(Duration.ofDays(1))),
        new X500Name("CN=" + cn), key);
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keyPair().getPrivate())));
    List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
    chain.addAll(ca.chain());
    return chain;
  }

  /** As the script's enroll writes them: the leaf to cert.pem, the CA certificates after it to chain.pem. */
  static void writeChain(Path device, List<X509Certificate> chain) throws Exception {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate c : chain.subList(1, chain.size())) pem.append(TestPki.pem("CERTIFICATE", c.getEncoded()));
    Files.writeString(device.resolve("cert.pem"), TestPki.pem("CERTIFICATE", chain.get(0).getEncoded()));
    Files.writeString(device.resolve("chain.pem"), pem);
  }

  record Run(int code, String out, String err) {
    /** stdout's last line, after asserting exit 0. */
    String ok() {
      assertEquals(0, code, "exited " + code + ":\n" + out + err);
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  /** Runs the script with the resource manager's TCTI; bounded. */
  static Run run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
    command.addAll(List.of(args));
    return exec(env, command);
  }

  static Run exec(Map<String, String> env, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(tpmDir.toFile());
    pb.environment().putAll(rm.environment());
    pb.environment().putAll(env);
    Path out = Files.createTempFile(tpmDir, "out", ".txt");
    Path err = Files.createTempFile(tpmDir, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish within 120s:\n" + Files.readString(err));
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) stderr += "\n" + rm.status();
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), stderr);
  }
}
