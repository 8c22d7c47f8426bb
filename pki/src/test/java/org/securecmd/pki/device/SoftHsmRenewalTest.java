package org.securecmd.pki.device;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  /** The device's own command, as its timer runs it: {@code securecmd-client renew --rekey} with the key in the token. */
  @Test
  void clientCommandRekeysInsideTheToken() throws Exception {
    RenewalFlow.Fleet fleet = RenewalFlow.fleet(dir);
    Pkcs11Token token = Pkcs11Token.open(new Pkcs11Token.Settings(SoftHsm.MODULE, "dev-renew", -1, -1),
        SoftHsmTokens.PIN.toCharArray());
    RenewalFlow.enroll(fleet, token, "cli", "dev-cli");
    String oldSerial = token.certifiedKey("cli").leaf().getSerialNumber().toString(16);
    Path pin = dir.resolve("pin");
    Files.writeString(pin, SoftHsmTokens.PIN + "\n");
    try (RunningDaemon daemon = RunningDaemon.start(fleet.config())) {
      List<String> device = List.of("--ca", fleet.root().resolve("ca.crt").toString(), "--port",
          Integer.toString(daemon.port()), "--pkcs11-module", SoftHsm.MODULE.toString(), "--pkcs11-token", "dev-renew",
          "--pkcs11-key", "cli", "--pin-file", pin.toString());
      String notDue = RenewalFlow.clientJar(concat(List.of("renew", "--if-expires-within", "1d"), device, "127.0.0.1"));
      assertTrue(notDue.startsWith("not due"), notDue);
      String out = RenewalFlow.clientJar(concat(List.of("renew", "--rekey"), device, "127.0.0.1"));
      assertTrue(out.startsWith("renewed: serial ") && out.contains("new key") && out.contains("stored in the token"), out);
      String whoami = RenewalFlow.clientJar(concat(List.of(), device, "127.0.0.1", "WHOAMI"));
      assertTrue(whoami.startsWith("cn=dev-cli") && !whoami.contains("serial=" + oldSerial + "\n"), whoami);
      // certificates only: a "used SERIAL TIME" line records a certificate's first use
      List<String> issued = Files.readAllLines(dir.resolve("state/issued")).stream().filter(l -> !l.startsWith("used\t")).toList();
      assertTrue(issued.get(issued.size() - 1).endsWith("\trekey") && whoami.contains(issued.get(issued.size() - 1).split("\t")[0]),
          issued + " / " + whoami);
    }
  }

  private static List<String> concat(List<String> a, List<String> b, String... more) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    all.addAll(List.of(more));
    return all;
  }
}
