package org.securecmd.pki.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.ca.Issuer;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.RunningDaemon;
import org.securecmd.pki.CaDirectory;
import org.securecmd.pki.cli.Cli;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;
import org.securecmd.tls.Pkcs11Token;
import org.securecmd.tls.SoftHsm;
import org.securecmd.tls.SoftHsm.Tools;

/** [enrollment] with the issuing CA's key in an HSM (SoftHSM2 through SunPKCS11): RENEW signs inside the token. */
class SoftHsmIssuingCaTest {
  @TempDir Path dir;

  @BeforeAll
  static void tokens() throws Exception {
    SoftHsmTokens.ensure();
  }

  @Test
  void renewalIsSignedByTheIssuingKeyInTheToken() throws Exception {
    Path root = dir.resolve("ca");
    Cli.run("init-ca", "--ca-dir", root.toString(), "--cn", "Fleet Root").ok();
    Cli.run("server-cert", "--ca-dir", root.toString(), "--cn", "backend", "--ip", "127.0.0.1",
        "--out", dir.resolve("server").toString()).ok();
    X509Certificate rootCert = Pem.readCertificates(root.resolve("ca.crt")).get(0);
    Pkcs11Token token = Pkcs11Token.open(new Pkcs11Token.Settings(SoftHsm.MODULE, "issuing-hsm", -1, -1),
        "1234".toCharArray());
    KeyPair kp = token.generateKeyPair("secp256r1");
    assertNull(kp.getPrivate().getEncoded(), "the issuing key stays in the token");
    X509Certificate issuing = Issuer.intermediateCa(rootCert, Pem.readPrivateKey(root.resolve("ca.key")), kp.getPublic(),
        "Fleet HSM Issuing", Duration.ofDays(365));
    token.installCertificate("issuing", kp.getPrivate(), List.of(issuing, rootCert));
    Files.write(dir.resolve("issuing.crt"), CaDirectory.pem("CERTIFICATE", issuing.getEncoded()));
    Files.writeString(dir.resolve("pin"), "1234\n");

    // a device from the tutorial's openssl flow, signed by the root
    Tools.run(List.of("openssl", "req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-keyout", dir.resolve("client.key").toString(), "-subj", "/CN=dev-hsm-ca", "-out", dir.resolve("client.csr").toString()));
    Cli.run("sign-csr", "--ca-dir", root.toString(), "--csr", dir.resolve("client.csr").toString(), "--out",
        dir.resolve("client.crt").toString()).ok();
    CertifiedKey device = CertifiedKey.load(dir.resolve("client.crt"), dir.resolve("client.key"));

    Files.writeString(dir.resolve("config.toml"), """
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
        ca_certificate = "issuing.crt"
        ca_key_pkcs11_module = "%s"
        ca_key_pkcs11_token = "issuing-hsm"
        ca_key_label = "issuing"
        ca_key_pin_file = "pin"
        renew_before = "3650d"
        allow = ["dev-*"]
        """.formatted(SoftHsm.MODULE));
    try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("config.toml"))) {
      SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder().addTrustedCertificate(rootCert)
          .certifiedKey(device).build(), Duration.ofSeconds(10));
      List<X509Certificate> chain = client.renew("127.0.0.1", daemon.port(), device.leaf(), device.leaf().getPublicKey(),
          device.privateKey());
      assertEquals(issuing.getSubjectX500Principal(), chain.get(0).getIssuerX500Principal());
      chain.get(0).verify(issuing.getPublicKey()); // signed inside the token
      assertEquals(issuing, chain.get(1));
    }
  }
}
