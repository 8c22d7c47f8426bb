package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.TestDaemon;
import org.securecmd.daemon.TestDaemonAccess;
import org.securecmd.tls.TestPki;

/**
 * {@code securecmd-client enroll} end to end, as on a board: a real daemon with {@code [attestation]}, a real
 * TPM stack ({@link TpmBoard}: swtpm with manufacturer EK certificates, tpm2-abrmd, a tpm2-pkcs11 token made
 * the way the integrator's guide makes it), and the real client run as a child process with the board's
 * environment. The device has no certificate before; afterwards the same PKCS#11 options get GET_SECRET with
 * the key that never left the TPM.
 */
class EnrollTest {
  private static final String PIN = "1234";
  @TempDir static Path dir;
  private static TpmBoard board;
  private static TestDaemon daemon;
  private static Path pinFile;

  @BeforeAll
  static void start() throws Exception {
    board = TpmBoard.start(Files.createDirectories(dir.resolve("board")));
    // the factory image (docs/integrators-guide.md): the SRK persisted, a tpm2-pkcs11 token on it
    board.tool("tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb", "-c", "srk.ctx");
    board.tool("tpm2_evictcontrol", "-C", "o", "-c", "srk.ctx", "0x81000001");
    board.tool("tpm2_ptool", "init", "--primary-handle=0x81000001");
    board.tool("tpm2_ptool", "addtoken", "--pid=1", "--label=device", "--userpin=" + PIN, "--sopin=5678");
    pinFile = Files.writeString(board.dir.resolve("pin"), PIN + "\n");
    // the operator registers the RSA EK's certificate under the device's name; the P-384 EK stays unknown
    board.tool("tpm2_nvread", "0x1c00002", "-C", "o", "-o", "ek-rsa.der");
    Path d = Files.createDirectories(dir.resolve("daemon"));
    TestPki pki = new TestPki("Fleet");
    pki.intermediate().write(d, "enroll-ca");
    Files.copy(board.ekCa, d.resolve("ek-ca.pem"));
    daemon = TestDaemon.start(d, config("registered"), pki);
    TestDaemonAccess.ctl(daemon).run("enroll", "add", "dev-board-7", "--ek-cert",
        board.dir.resolve("ek-rsa.der").toString());
  }

  private static String config(String mode) {
    return TestDaemon.config("allow = [\"*\"]", """
        [enrollment]
        ca_certificate = "enroll-ca.crt"
        ca_key = "enroll-ca.key"
        validity = "2h"
        renew_before = "3h"
        allow = ["dev-*"]
        [attestation]
        ek_ca = "ek-ca.pem"
        enroll = "%s"
        """.formatted(mode)).replace("allow = [\"trusted-client\"]\n", "allow = [\"dev-*\"]\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (daemon != null) daemon.close();
    if (board != null) board.close();
  }

  private record Run(int code, String out, String err) {}

  /** securecmd-client in a process of its own with the board's environment (tpm2-pkcs11 reads it at load). */
  private static Run client(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // as the packaged client's jar manifest does, for tokens found by label
        "--add-exports", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), "org.securecmd.client.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(board.dir.toFile());
    pb.environment().putAll(board.environment());
    Path out = Files.createTempFile(dir, "client", ".out");
    Path err = Files.createTempFile(dir, "client", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(args[0] + " did not finish within 180s: " + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> token(TestDaemon d, String keyLabel) throws Exception {
    return List.of("--pkcs11-module", TpmBoard.MODULE.toString(), "--pkcs11-token", "device", "--pkcs11-key",
        keyLabel, "--pin-file", pinFile.toString(), "--ca", d.dir.resolve("ca.crt").toString(), "--port",
        Integer.toString(d.port()));
  }

  private static Run enroll(TestDaemon d, String keyLabel, String... extra) throws Exception {
    List<String> a = new ArrayList<>(List.of("enroll", "--tpm", board.swtpmSpec()));
    a.addAll(List.of(extra));
    a.addAll(token(d, keyLabel));
    a.add("127.0.0.1");
    return client(a.toArray(new String[0]));
  }

  private static String[] withHost(List<String> first, List<String> options) {
    List<String> a = new ArrayList<>(first);
    a.addAll(options);
    a.add("127.0.0.1");
    return a.toArray(new String[0]);
  }

  private static Run request(TestDaemon d, String keyLabel, String verb) throws Exception {
    List<String> a = new ArrayList<>(token(d, keyLabel));
    a.add("127.0.0.1");
    a.add(verb);
    return client(a.toArray(new String[0]));
  }

  @Test
  void aDeviceWithoutCertificateEnrollsThenGetsTheSecretWithItsTpmKeyThroughPkcs11() throws Exception {
    Run enrolled = enroll(daemon, "device", "--ek", "rsa");
    assertEquals(0, enrolled.code(), enrolled.toString());
    assertTrue(enrolled.out().startsWith("enrolled: CN=dev-board-7, serial "), enrolled.toString());
    assertTrue(enrolled.out().contains("key \"device\" in token \"device\""), enrolled.toString());

    Run whoami = request(daemon, "device", "WHOAMI");
    assertEquals(0, whoami.code(), whoami.toString());
    assertTrue(whoami.out().startsWith("cn=dev-board-7"), whoami.toString());
    Run secret = request(daemon, "device", "GET_SECRET");
    assertEquals(0, secret.code(), secret.toString());
    assertEquals("THIS_IS_THE_SECRET\n", secret.out());

    // a renewal with the same key (the enrollment does not count as one) keeps the certificate attested
    Run renewed = client(withHost(List.of("renew"), token(daemon, "device")));
    assertEquals(0, renewed.code(), renewed.toString());
    assertTrue(renewed.out().startsWith("renewed: serial "), renewed.toString());

    // the attested rekey: a new key made in the TPM, certified by the enrolled AK over the server's NONCE
    Run rekey = client(withHost(List.of("renew", "--rekey", "--tpm", board.swtpmSpec()), token(daemon, "device")));
    assertEquals(0, rekey.code(), rekey.toString());
    assertTrue(rekey.out().contains("new key (made in the TPM and certified by its AK"), rekey.toString());
    Run after = request(daemon, "device", "WHOAMI");
    assertEquals(0, after.code(), after.toString());
    assertTrue(after.out().startsWith("cn=dev-board-7"), after.toString());
    assertTrue(!after.out().equals(whoami.out()), "another serial after the rekey: " + after.out());
    assertEquals("THIS_IS_THE_SECRET\n", request(daemon, "device", "GET_SECRET").out());
    List<String> labelled = TokenLink.objectIds(board.tool("tpm2_ptool", "listobjects", "--label=device"), "device");
    assertEquals(3, labelled.size(), "one private key, its public key and its certificate: the old ones deleted "
        + labelled);

    // enrolling again (a board whose software was reinstalled) replaces the key in the token
    Run again = enroll(daemon, "device", "--ek", "rsa");
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().startsWith("enrolled: CN=dev-board-7, "), again.toString());
    assertEquals("THIS_IS_THE_SECRET\n", request(daemon, "device", "GET_SECRET").out());
    assertEquals(3, TokenLink.objectIds(board.tool("tpm2_ptool", "listobjects", "--label=device"), "device").size(),
        "the earlier key and certificate replaced");

    // the AK stays where later quotes and attested rekeys look for it; the token holds the key and certificate
    assertTrue(board.tool("tpm2_readpublic", "-c", "0x81000002").contains("sign"), "AK persisted at 0x81000002");
    String objects = board.tool("tpm2_ptool", "listobjects", "--label=device");
    assertTrue(objects.contains("CKO_PRIVATE_KEY") && objects.contains("CKO_CERTIFICATE"), objects);
  }

  @Test
  void anUnregisteredEkIsRefusedWithTheServersErrorAndExitOne() throws Exception {
    Run refused = enroll(daemon, "refused", "--ek", "ecc"); // the P-384 EK: its CA is known, but nobody registered it
    assertEquals(1, refused.code(), refused.toString());
    assertTrue(refused.err().startsWith("securecmd-client: enroll: server refused: ERR FORBIDDEN "), refused.toString());
  }

  @Test
  void aServerThatIsNotThereExitsFourAndOneWithAnotherCaExitsThree() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    List<String> a = new ArrayList<>(List.of("enroll", "--tpm", board.swtpmSpec()));
    a.addAll(token(daemon, "unused"));
    a.addAll(List.of("--port", Integer.toString(closed), "127.0.0.1"));
    Run network = client(a.toArray(new String[0]));
    assertEquals(4, network.code(), network.toString());
    assertTrue(network.err().startsWith("securecmd-client: enroll: cannot connect to 127.0.0.1:" + closed),
        network.toString());

    Path otherCa = Files.createTempFile(dir, "other-ca", ".pem");
    new TestPki("Other").writeRoot(otherCa);
    List<String> b = new ArrayList<>(List.of("enroll", "--tpm", board.swtpmSpec()));
    b.addAll(token(daemon, "unused"));
    b.addAll(List.of("--ca", otherCa.toString(), "127.0.0.1"));
    Run tls = client(b.toArray(new String[0]));
    assertEquals(3, tls.code(), tls.toString());
    assertTrue(tls.err().startsWith("securecmd-client: enroll: "), tls.toString());
  }

  @Test
  void inApproveModeTheFirstRunWaitsForApprovalAndTheNextEnrollsWithTheEccEk(@TempDir Path other) throws Exception {
    TestPki pki = new TestPki("Approve");
    pki.intermediate().write(other, "enroll-ca");
    Files.copy(board.ekCa, other.resolve("ek-ca.pem"));
    try (TestDaemon approving = TestDaemon.start(other, config("approve"), pki)) {
      Run pending = enroll(approving, "device-ecc", "--ek", "ecc");
      assertEquals(1, pending.code(), pending.toString());
      String prefix = "securecmd-client: enroll: server refused: ERR PENDING ";
      assertTrue(pending.err().startsWith(prefix), pending.toString());
      assertTrue(pending.err().contains("run enroll again"), "says what to do: " + pending);
      String id = pending.err().substring(prefix.length()).split(" ")[0];

      TestDaemonAccess.ctl(approving).run("enroll", "approve", id, "dev-approved-ecc");
      Run enrolled = enroll(approving, "device-ecc", "--ek", "ecc");
      assertEquals(0, enrolled.code(), enrolled.toString());
      assertTrue(enrolled.out().startsWith("enrolled: CN=dev-approved-ecc, "), enrolled.toString());
      Run whoami = request(approving, "device-ecc", "WHOAMI");
      assertEquals(0, whoami.code(), whoami.toString());
      assertTrue(whoami.out().startsWith("cn=dev-approved-ecc"), whoami.toString());
    }
  }
}
