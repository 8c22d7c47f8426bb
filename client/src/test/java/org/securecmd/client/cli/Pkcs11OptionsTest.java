package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.tls.SoftHsm;
import org.securecmd.tls.TestPki;

/** The CLI with a key in a PKCS#11 token (SoftHSM2): each way of getting it wrong is one clear error. */
class Pkcs11OptionsTest {
  private static final String PIN = "1234";
  private static long slot;
  /** A token nobody logs in to: PKCS#11 login state is per process and token, so a wrong PIN needs a fresh one. */
  private static long untouchedSlot;
  @TempDir static Path dir;

  @BeforeAll
  static void token() throws Exception {
    slot = SoftHsm.initToken("cli-errors", PIN);
    untouchedSlot = SoftHsm.initToken("cli-wrong-pin", PIN);
    Files.writeString(dir.resolve("pin"), PIN + "\n");
    Files.writeString(dir.resolve("wrong-pin"), "9999\n");
    new TestPki("cli").writeRoot(dir.resolve("ca.pem"));
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String[] tokenArgs(String module, String pinFile, String key) {
    return tokenArgs(module, slot, pinFile, key);
  }

  private static String[] tokenArgs(String module, long slot, String pinFile, String key) {
    List<String> a = new ArrayList<>(List.of("--pkcs11-module", module, "--pkcs11-slot", Long.toString(slot),
        "--pkcs11-key", key, "--pin-file", dir.resolve(pinFile).toString(), "--ca", dir.resolve("ca.pem").toString(), "--port", "1", "127.0.0.1", "PING"));
    return a.toArray(new String[0]);
  }

  @Test
  void missingModuleIsOneClearTlsError() {
    Result r = run(tokenArgs("/nonexistent/libpkcs11.so", "pin", "device"));
    assertEquals(3, r.code(), r.err());
    assertEquals("securecmd-client: PKCS#11 module not found: /nonexistent/libpkcs11.so\n", r.err());
  }

  @Test
  void wrongPinIsOneClearTlsError() {
    Result r = run("--pkcs11-module", SoftHsm.MODULE.toString(), "--pkcs11-token", "cli-wrong-pin", "--pin-file",
        dir.resolve("wrong-pin").toString(), "--ca", dir.resolve("ca.pem").toString(), "--port", "1", "127.0.0.1");
    assertEquals(3, r.code(), r.err());
    assertEquals("securecmd-client: wrong PIN for PKCS#11 token " + SoftHsm.MODULE + " token \"cli-wrong-pin\"\n",
        r.err());
  }

  @Test
  void unknownTokenLabelIsOneClearTlsError() {
    Result r = run("--pkcs11-module", SoftHsm.MODULE.toString(), "--pkcs11-token", "no-such-token", "--pin-file",
        dir.resolve("pin").toString(), "--ca", dir.resolve("ca.pem").toString(), "--port", "1", "127.0.0.1");
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().startsWith("securecmd-client: no PKCS#11 token labelled \"no-such-token\" in " + SoftHsm.MODULE
        + " (tokens: ["), r.err());
    assertTrue(r.err().contains("cli-errors"), r.err());
  }

  @Test
  void unknownKeyLabelIsOneClearTlsError() {
    Result r = run(tokenArgs(SoftHsm.MODULE.toString(), "pin", "no-such-key"));
    assertEquals(3, r.code(), r.err());
    assertEquals("securecmd-client: no key labelled \"no-such-key\" on PKCS#11 token " + SoftHsm.MODULE + " slot "
        + slot + " (keys with a certificate: [])\n", r.err());
  }

  @Test
  void missingPinFileIsATlsError() {
    Result r = run(tokenArgs(SoftHsm.MODULE.toString(), "no-such-pin-file", "device"));
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().startsWith("securecmd-client: cannot read PIN file "), r.err());
  }

  @Test
  void configFileSuppliesTheTokenSettings() throws Exception {
    Path config = dir.resolve("client.properties");
    Files.writeString(config, "pkcs11-module = " + SoftHsm.MODULE + "\npkcs11-slot = " + slot
        + "\npkcs11-key = absent\npin-file = " + dir.resolve("pin") + "\nca = " + dir.resolve("ca.pem") + "\nport = 1\nhost = 127.0.0.1\n");
    Result r = run("--config", config.toString());
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains("no key labelled \"absent\""), r.err());
  }

  @Test
  void usageErrors() throws Exception {
    Path bad = dir.resolve("bad.properties");
    Files.writeString(bad, "pin = 1234\n");
    String[][] rows = {
        {"securecmd-client: --pkcs11-module needs --pin-file FILE or --pin-env VAR (the PIN is never given on the command line)",
            "--pkcs11-module", "/x.so", "h"},
        {"securecmd-client: --pin-file and --pin-env exclude each other",
            "--pkcs11-module", "/x.so", "--pin-file", "p", "--pin-env", "P", "h"},
        {"securecmd-client: --key and --pkcs11-module exclude each other",
            "--pkcs11-module", "/x.so", "--pin-env", "P", "--key", "k", "h"},
        {"securecmd-client: --pkcs11-key needs --pkcs11-module", "--pkcs11-key", "device", "h"},
        {"securecmd-client: --pkcs11-slot needs a whole number >= 0: x",
            "--pkcs11-module", "/x.so", "--pin-env", "P", "--pkcs11-slot", "x", "h"},
        {"securecmd-client: unknown option --pin", "--pin", "1234", "h"},
        {"securecmd-client: give one of --pkcs11-token, --pkcs11-slot or --pkcs11-slot-index",
            "--pkcs11-module", "/x.so", "--pin-env", "P", "--pkcs11-slot", "1", "--pkcs11-token", "t", "h"},
        {"securecmd-client: " + bad + ": unknown key \"pin\"; allowed: [ca, cert, host, key, pin-env, pin-file, "
            + "pkcs11-key, pkcs11-module, pkcs11-slot, pkcs11-slot-index, pkcs11-token, port, timeout, tpm]", "--config", bad.toString()},
    };
    for (String[] row : rows) {
      String[] args = java.util.Arrays.copyOfRange(row, 1, row.length);
      Result r = run(args);
      assertEquals(2, r.code(), String.join(" ", args));
      assertEquals(row[0], r.err().lines().findFirst().orElse(""), String.join(" ", args));
    }
  }
}
