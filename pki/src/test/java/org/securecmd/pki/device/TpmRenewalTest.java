package org.securecmd.pki.device;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.RunningDaemon;
import org.securecmd.tls.Pkcs11Token;

/** RENEW with the device key inside a (software) TPM 2.0: renew with the same key, then rekey in the TPM. */
class TpmRenewalTest {
  private static SoftwareTpm tpm;
  @TempDir Path dir;

  @BeforeAll
  static void startTpm() throws Exception {
    tpm = SoftwareTpm.start();
  }

  @AfterAll
  static void stopTpm() throws Exception {
    if (tpm != null) tpm.close();
  }

  @Test
  void deviceInTheTpmRenewsThenRekeysInsideTheTpm() throws Exception {
    long slot = tpm.addToken("dev-tpm-renew", "1234");
    RenewalFlow.Fleet fleet = RenewalFlow.fleet(dir);
    Pkcs11Token token = Pkcs11Token.open(new Pkcs11Token.Settings(SoftwareTpm.MODULE, slot, -1), "1234".toCharArray());
    RenewalFlow.enroll(fleet, token, "device", "dev-tpm-renew");
    try (RunningDaemon daemon = RunningDaemon.start(fleet.config())) {
      RenewalFlow.renewAndRekey(fleet, token, "device", daemon.port());
    }
  }
}
