package org.securecmd.pki.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.pki.FleetDaemon;
import org.securecmd.pki.cli.Cli;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;
import org.securecmd.tls.Pkcs11Token;
import org.securecmd.tls.SoftHsm.Tools;

/**
 * The manufacturing flow against one token, as an operator would run it: key and CSR in the token,
 * signing by securecmd-pki, installing the certificate, a mutual-TLS GET_SECRET with the key still in the
 * token, and refusal after revocation + CRL + daemon restart.
 */
final class EnrollmentFlow {
  private EnrollmentFlow() {}

  /**
   * @param tokenArgs the {@code --pkcs11-*} and {@code --pin-*} options that select the token and key
   * @param settings the same token for the in-process checks
   */
  static void run(Path dir, List<String> tokenArgs, Pkcs11Token.Settings settings, String label, char[] pin,
                  String deviceId) throws Exception {
    Path ca = dir.resolve("ca");
    Cli.run("init-ca", "--ca-dir", ca.toString(), "--cn", "Fleet CA").ok();
    Cli.run("server-cert", "--ca-dir", ca.toString(), "--cn", "backend", "--ip", "127.0.0.1",
        "--out", dir.resolve("server").toString()).ok();

    Path csr = dir.resolve(deviceId + ".csr");
    Cli.run(args("device-csr", tokenArgs, "--device-id", deviceId, "--out", csr.toString())).ok();
    assertTrue(Tools.run(List.of("openssl", "req", "-verify", "-noout", "-in", csr.toString())).contains("verify OK"),
        "openssl accepts the CSR signed inside the token");
    Path crt = dir.resolve(deviceId + ".crt");
    Cli.run("sign-csr", "--ca-dir", ca.toString(), "--csr", csr.toString(), "--out", crt.toString()).ok();
    Cli.run(args("install-cert", tokenArgs, "--cert", crt.toString())).ok();

    CertifiedKey key = Pkcs11Token.open(settings, pin).certifiedKey(label);
    assertNull(key.privateKey().getEncoded(), "the private key must not be extractable to Java");
    assertEquals("CN=" + deviceId, key.leaf().getSubjectX500Principal().getName());
    assertEquals(Pem.readCertificates(crt).get(0), key.leaf());

    SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder()
        .addTrustedCertificates(Pem.readCertificates(ca.resolve("ca.crt"))).certifiedKey(key).build(),
        Duration.ofSeconds(10));
    try (FleetDaemon daemon = FleetDaemon.start(dir, "")) {
      try (Connection c = client.connect("127.0.0.1", daemon.port())) {
        assertEquals("THIS_IS_THE_SECRET", c.send("GET_SECRET").text());
        String whoami = c.send("WHOAMI").text();
        assertTrue(whoami.startsWith("cn=" + deviceId + " uri=urn:securecmd:device:" + deviceId + " serial="), whoami);
      }
      assertEquals("THIS_IS_THE_SECRET\n", clientCli(dir, tokenArgs, daemon.port()));

      // Revoke, publish the CRL, reload the running daemon: the device is refused from the next connection.
      Cli.run("revoke", "--ca-dir", ca.toString(), "--device", deviceId).ok();
      Cli.run("crl", "--ca-dir", ca.toString(), "--out", dir.resolve("crl.pem").toString()).ok();
      daemon.reloadWithCrl(dir, "crl.pem");
      String seen;
      try (Connection c = client.connect("127.0.0.1", daemon.port())) {
        seen = c.send("GET_SECRET").line();
      } catch (ClientException e) {
        seen = e.getMessage();
      }
      assertEquals("ERR FORBIDDEN certificate revoked (CRL)", seen);
    }
  }

  private static String[] args(String command, List<String> tokenArgs, String... more) {
    List<String> a = new ArrayList<>(List.of(command));
    a.addAll(tokenArgs);
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  /** {@code securecmd-client} as a device runs it: the built jar, the key in the token, the PIN from a file. */
  private static String clientCli(Path dir, List<String> tokenArgs, int port) throws Exception {
    Path jar = Path.of("..", "client", "target", "securecmd-client.jar");
    if (!Files.exists(jar)) throw new AssertionError(jar.toAbsolutePath() + " missing: run mvn verify from the root");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar.toString(), "--ca", dir.resolve("ca/ca.crt").toString(),
        "--port", Integer.toString(port)));
    cmd.addAll(tokenArgs);
    cmd.addAll(List.of("127.0.0.1", "GET_SECRET"));
    return Tools.run(cmd, null, 60);
  }
}
