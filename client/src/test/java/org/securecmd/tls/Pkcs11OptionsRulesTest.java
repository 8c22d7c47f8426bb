package org.securecmd.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules both command lines share, without a token: one row per mistake and its exact message (the
 * CLIs' own tests check that they show it; {@code client.cli.Pkcs11OptionsTest} opens a real token).
 */
class Pkcs11OptionsRulesTest {
  @TempDir Path dir;

  private static Map<String, String> options(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
    return m;
  }

  @Test
  void eachMistakeHasItsMessage() {
    String[][] rows = {
        {"--pkcs11-module needs --pin-file FILE or --pin-env VAR (the PIN is never given on the command line)",
            "pkcs11-module", "/x.so"},
        {"--pin-file and --pin-env exclude each other", "pkcs11-module", "/x.so", "pin-file", "p", "pin-env", "P"},
        {"--pkcs11-key needs --pkcs11-module", "pkcs11-key", "device"},
        {"--pin-env needs --pkcs11-module", "pin-env", "P"},
        {"give one of --pkcs11-token, --pkcs11-slot or --pkcs11-slot-index",
            "pkcs11-module", "/x.so", "pin-env", "P", "pkcs11-slot", "1", "pkcs11-slot-index", "0"},
        {"--pkcs11-slot needs a whole number >= 0: x", "pkcs11-module", "/x.so", "pin-env", "P", "pkcs11-slot", "x"},
        {"--pkcs11-slot-index needs a whole number >= 0: -1",
            "pkcs11-module", "/x.so", "pin-env", "P", "pkcs11-slot-index", "-1"},
    };
    for (String[] row : rows) {
      Map<String, String> o = options(java.util.Arrays.copyOfRange(row, 1, row.length));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pkcs11Options.from(o),
          o.toString());
      assertEquals(row[0], e.getMessage(), o.toString());
    }
  }

  @Test
  void noModuleAndNoTokenOptionsIsNoToken() {
    assertEquals(Optional.empty(), Pkcs11Options.from(options("ca", "ca.pem")));
  }

  @Test
  void defaultsAndSlotChoice() {
    Pkcs11Options p = Pkcs11Options.from(options("pkcs11-module", "/x.so", "pin-env", "PIN", "pkcs11-slot", "7"))
        .orElseThrow();
    assertEquals(new Pkcs11Token.Settings(Path.of("/x.so"), null, 7, -1), p.settings());
    assertEquals(Pkcs11Options.DEFAULT_KEY_LABEL, p.keyLabel());
  }

  @Test
  void pinFromTheFirstLineOfTheFileOrTheVariable() throws Exception {
    Path pin = Files.writeString(dir.resolve("pin"), "  1234 \r\nsecond line\n");
    Pkcs11Options file = Pkcs11Options.from(options("pkcs11-module", "/x.so", "pin-file", pin.toString())).orElseThrow();
    assertArrayEquals("1234".toCharArray(), file.pin(Map.of()));
    Pkcs11Options env = Pkcs11Options.from(options("pkcs11-module", "/x.so", "pin-env", "PIN")).orElseThrow();
    assertArrayEquals("5678".toCharArray(), env.pin(Map.of("PIN", "5678")));
    GeneralSecurityException unset = assertThrows(GeneralSecurityException.class, () -> env.pin(Map.of()));
    assertEquals("PIN environment variable PIN is not set", unset.getMessage());
    Pkcs11Options missing = Pkcs11Options.from(
        options("pkcs11-module", "/x.so", "pin-file", dir.resolve("absent").toString())).orElseThrow();
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> missing.pin(Map.of()));
    assertTrue(e.getMessage().startsWith("cannot read PIN file " + dir.resolve("absent")), e.getMessage());
  }
}
