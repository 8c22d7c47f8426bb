package org.securecmd.pki.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.pki.CaDirectory;
import org.securecmd.pki.cli.Cli;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;
import org.securecmd.tls.Pkcs11Token;

/**
 * Renewal with a key in a PKCS#11 token, as a device in the field does it: the fleet has a root and an
 * issuing CA (securecmd-pki init-intermediate), the daemon renews with the issuing CA, and the token's key
 * never leaves the token.
 */
final class RenewalFlow {
  private RenewalFlow() {}

  record Fleet(Path dir, Path root, Path issuing, Path config) {}

  static Fleet fleet(Path dir) throws Exception {
    Path root = dir.resolve("ca");
    Path issuing = dir.resolve("issuing");
    // Names unique per fleet: SunPKCS11 builds a key's chain from the token's certificates by subject name,
    // so two fleets' CAs with one name in one token would mix up their chains.
    String fleetName = dir.getFileName().toString();
    Cli.run("init-ca", "--ca-dir", root.toString(), "--cn", "Fleet Root " + fleetName).ok();
    Cli.run("init-intermediate", "--ca-dir", root.toString(), "--out-dir", issuing.toString(), "--cn",
        "Fleet Issuing " + fleetName).ok();
    Cli.run("server-cert", "--ca-dir", root.toString(), "--cn", "backend", "--ip", "127.0.0.1",
        "--out", dir.resolve("server").toString()).ok();
    Path config = dir.resolve("config.toml");
    Files.writeString(config, """
        [server]
        listen = "127.0.0.1:0"
        [tls]
        certificate = "server.crt"
        private_key = "server.key"
        [clients]
        ca = "ca/ca.crt"
        allow = ["dev-*"]
        [admin]
        socket = "admin.sock"
        [state]
        directory = "state"
        [enrollment]
        ca_certificate = "issuing/ca.crt"
        ca_key = "issuing/ca.key"
        renew_before = "3650d"
        allow = ["dev-*"]
        """);
    return new Fleet(dir, root, issuing, config);
  }

  /** Manufacturing: key made in the token, CSR signed there, certificate from the issuing CA stored with it. */
  static void enroll(Fleet f, Pkcs11Token token, String label, String deviceId) throws Exception {
    Path csr = f.dir().resolve(deviceId + ".csr");
    Files.write(csr, CaDirectory.pem("CERTIFICATE REQUEST", Enrollment.createKeyAndCsr(token, label, deviceId).getEncoded()));
    Path crt = f.dir().resolve(deviceId + ".crt");
    Cli.run("sign-csr", "--ca-dir", f.issuing().toString(), "--csr", csr.toString(), "--out", crt.toString()).ok();
    List<X509Certificate> chain = new java.util.ArrayList<>(Pem.readCertificates(crt));
    chain.add(Pem.readCertificates(f.issuing().resolve("ca.crt")).get(0)); // the root trusts the issuing CA
    Enrollment.installCertificate(token, label, chain);
  }

  static void renewAndRekey(Fleet f, Pkcs11Token token, String label, int port) throws Exception {
    List<X509Certificate> trust = Pem.readCertificates(f.root().resolve("ca.crt"));
    CertifiedKey first = token.certifiedKey(label);
    // 1. renew with the same key: the new certificate is stored for the key that stays in the token
    List<X509Certificate> renewed = client(trust, first).renew("127.0.0.1", port, first.leaf(),
        first.leaf().getPublicKey(), first.privateKey());
    token.installCertificate(label, first.privateKey(), renewed);
    CertifiedKey second = token.certifiedKey(label);
    assertEquals(renewed.get(0), second.leaf());
    assertEquals(first.leaf().getSubjectX500Principal(), second.leaf().getSubjectX500Principal());
    assertTrue(whoami(trust, second, port).contains("serial=" + second.leaf().getSerialNumber().toString(16)));

    // 2. rekey: a new key generated in the token, the old one deleted once the new certificate is stored
    KeyPair fresh = token.generateKeyPair("secp256r1");
    assertNull(fresh.getPrivate().getEncoded(), "generated non-extractable in the token");
    List<X509Certificate> rekeyed = client(trust, second).renew("127.0.0.1", port, second.leaf(), fresh.getPublic(),
        fresh.getPrivate());
    token.replaceKey(label, fresh.getPrivate(), rekeyed);
    CertifiedKey third = token.certifiedKey(label);
    assertNull(third.privateKey().getEncoded(), "the key never leaves the token");
    assertEquals(fresh.getPublic(), third.leaf().getPublicKey());
    assertNotEquals(second.leaf().getPublicKey(), third.leaf().getPublicKey());
    assertTrue(token.keyLabels().contains(label) && !token.keyLabels().contains(label + ".next"), token.keyLabels().toString());
    assertEquals(token.keyLabels().size(), new java.util.HashSet<>(token.keyLabels()).size(), "one entry per label");
    assertTrue(whoami(trust, third, port).contains("serial=" + third.leaf().getSerialNumber().toString(16)));
    assertFalse(token.finishReplacement(label), "nothing left to finish");
  }

  private static SecureCmdClient client(List<X509Certificate> trust, CertifiedKey key) throws Exception {
    return new SecureCmdClient(new HandshakeSetup.Builder().addTrustedCertificates(trust).certifiedKey(key).build(),
        Duration.ofSeconds(10));
  }

  private static String whoami(List<X509Certificate> trust, CertifiedKey key, int port) throws Exception {
    try (Connection c = client(trust, key).connect("127.0.0.1", port)) {
      return c.send("WHOAMI").text();
    }
  }

  /** {@code java -jar securecmd-client.jar ARGS} as a device runs it; its stdout and stderr, or a test failure. */
  static String clientJar(List<String> args) throws Exception {
    Path jar = Path.of("..", "client", "target", "securecmd-client.jar");
    if (!Files.exists(jar)) throw new AssertionError(jar.toAbsolutePath() + " missing: run mvn verify from the root");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-jar", jar.toString()));
    cmd.addAll(args);
    return org.securecmd.tls.SoftHsm.Tools.run(cmd, null, 120);
  }
}
