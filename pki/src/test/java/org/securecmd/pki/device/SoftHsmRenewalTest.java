package org.securecmd.pki.device;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.RunningDaemon;
import org.securecmd.tls.Pkcs11Token;
import org.securecmd.tls.SoftHsm;

/** RENEW with the device key in SoftHSM2: renew with the same key, then rekey inside the token. */
class SoftHsmRenewalTest {
  @TempDir Path dir;

  @BeforeAll
  static void tokens() throws Exception {
    SoftHsmTokens.ensure();
  }

  @Test
  void deviceInSoftHsmRenewsThenRekeysInsideTheToken() throws Exception {
    Pkcs11Token.Settings settings = new Pkcs11Token.Settings(SoftHsm.MODULE, "dev-renew", -1, -1);
    RenewalFlow.Fleet fleet = RenewalFlow.fleet(dir);
    Pkcs11Token token = Pkcs11Token.open(settings, "1234".toCharArray());
    RenewalFlow.enroll(fleet, token, "device", "dev-renew");
    try (RunningDaemon daemon = RunningDaemon.start(fleet.config())) {
      RenewalFlow.renewAndRekey(fleet, token, "device", daemon.port());
    }
  }
}
