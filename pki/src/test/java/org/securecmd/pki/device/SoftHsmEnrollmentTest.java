package org.securecmd.pki.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.pki.cli.Cli;
import org.securecmd.tls.Pkcs11Token;
import org.securecmd.tls.SoftHsm;
import org.securecmd.tls.SoftHsm.Tools;

/** The manufacturing flow with a SoftHSM2 token: a P-256 key generated in the token and never extracted. */
class SoftHsmEnrollmentTest {
  @TempDir static Path pins;
  @TempDir Path dir;

  @BeforeAll
  static void tokens() throws Exception {
    SoftHsmTokens.ensure(); // all tokens before the module is first loaded in this JVM
    Files.writeString(pins.resolve("pin"), "1234\n");
  }

  private static List<String> tokenArgs(String label) {
    // SoftHSM gives tokens random slot ids: select by label
    return List.of("--pkcs11-module", SoftHsm.MODULE.toString(), "--pkcs11-token", label, "--pkcs11-key", "device",
        "--pin-file", pins.resolve("pin").toString());
  }

  @Test
  void deviceEnrolledInSoftHsmGetsTheSecretAndIsRefusedOnceRevoked() throws Exception {
    EnrollmentFlow.run(dir, tokenArgs("dev-hsm-1"), new Pkcs11Token.Settings(SoftHsm.MODULE, "dev-hsm-1", -1, -1),
        "device", "1234".toCharArray(), "dev-hsm-1");
  }

  @Test
  void enrollmentNeverReplacesAKeyNorInstallsAnotherKeysCertificate() throws Exception {
    Path ca = dir.resolve("ca");
    Cli.run("init-ca", "--ca-dir", ca.toString(), "--cn", "Fleet CA").ok();
    Cli.run(args("device-csr", "dev-hsm-2", "--device-id", "dev-hsm-2", "--out", dir.resolve("a.csr").toString())).ok();
    Cli again = Cli.run(args("device-csr", "dev-hsm-2", "--device-id", "dev-hsm-2", "--out", dir.resolve("b.csr").toString()));
    assertEquals(3, again.code());
    assertEquals("securecmd-pki: the token already has a key labelled \"device\"; refusing to replace a device identity"
        + " (choose another --pkcs11-key or delete it with pkcs11-tool)\n", again.err());

    Tools.run(List.of("openssl", "req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-keyout", dir.resolve("other.key").toString(), "-subj", "/CN=dev-hsm-2", "-out", dir.resolve("other.csr").toString()));
    Cli.run("sign-csr", "--ca-dir", ca.toString(), "--csr", dir.resolve("other.csr").toString(), "--out",
        dir.resolve("other.crt").toString()).ok();
    Cli wrong = Cli.run(args("install-cert", "dev-hsm-2", "--cert", dir.resolve("other.crt").toString()));
    assertEquals(3, wrong.code());
    assertEquals("securecmd-pki: the certificate CN=dev-hsm-2 is not for the key labelled \"device\" (different public key)\n",
        wrong.err());
  }

  private static String[] args(String command, String token, String... more) {
    List<String> a = new ArrayList<>(List.of(command));
    a.addAll(tokenArgs(token));
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }
}
