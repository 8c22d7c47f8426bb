package org.securecmd.pki.device;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.tls.Pkcs11Token;
import org.securecmd.tls.SoftHsm;

/** The manufacturing flow with a SoftHSM2 token: a P-256 key generated in the token and never extracted. */
class SoftHsmEnrollmentTest {
  @TempDir Path dir;

  @Test
  void deviceEnrolledInSoftHsmGetsTheSecretAndIsRefusedOnceRevoked() throws Exception {
    SoftHsm.initToken("dev-hsm-1", "1234"); // SoftHSM gives it a random slot id: select it by label
    Path pin = dir.resolve("pin");
    Files.writeString(pin, "1234\n");
    List<String> tokenArgs = List.of("--pkcs11-module", SoftHsm.MODULE.toString(), "--pkcs11-token", "dev-hsm-1",
        "--pkcs11-key", "device", "--pin-file", pin.toString());
    EnrollmentFlow.run(dir, tokenArgs, new Pkcs11Token.Settings(SoftHsm.MODULE, "dev-hsm-1", -1, -1), "device",
        "1234".toCharArray(), "dev-hsm-1");
  }
}
