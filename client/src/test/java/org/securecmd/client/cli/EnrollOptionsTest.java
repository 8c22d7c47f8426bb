package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.securecmd.client.TpmEnrollment;

/** {@code enroll}'s command line: what it accepts, and one clear usage error for each way of getting it wrong. */
class EnrollOptionsTest {
  private static final List<String> TOKEN = List.of("--pkcs11-module", "/usr/lib/libtpm2_pkcs11.so",
      "--pkcs11-token", "device", "--pin-file", "/etc/securecmd/pin", "--ca", "/tmp/ca.pem");

  private static String[] args(String extra) {
    List<String> a = new ArrayList<>(TOKEN);
    if (!extra.isBlank()) a.addAll(Arrays.asList(extra.strip().split(" +")));
    return a.toArray(new String[0]);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      board.example                                          | device:/dev/tpmrm0                  | AUTO | 5000
      --tpm swtpm:host=127.0.0.1,port=2321 board.example     | swtpm:host=127.0.0.1,port=2321      | AUTO | 5000
      --tpm device:/dev/tpm0 --ek rsa board.example          | device:/dev/tpm0                    | RSA  | 5000
      --ek ECC --port 6000 board.example                     | device:/dev/tpmrm0                  | ECC  | 6000
      --port 6000 --tpm swtpm board.example                  | swtpm                               | AUTO | 6000
      """)
  void acceptedCommandLines(String extra, String tpm, String ek, int port) throws Exception {
    EnrollCommand.Options o = EnrollCommand.Options.parse(args(extra));
    assertEquals(tpm, o.tpm());
    assertEquals(TpmEnrollment.EkChoice.valueOf(ek), o.ek());
    assertEquals("board.example", o.common().host());
    assertEquals(port, o.common().port());
    assertEquals("device", o.common().pkcs11().settings().tokenLabel());
    assertEquals(Path.of("/tmp/ca.pem"), o.common().ca());
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', textBlock = """
      --ek dsa board.example                    | --ek must be rsa or ecc: dsa
      board.example --ek                        | --ek needs a value
      --tpm mssim:port=2321 board.example       | --tpm: TPM "mssim:port=2321": unsupported TCTI "mssim"
      --tpm device:dev/tpm0 board.example       | the device path must be absolute
      --tpm swtpm:port=99999 board.example      | port 99999 is out of range 1-65535
      board.example GET_SECRET PLEASE           | enroll takes no COMMAND
      --cert /etc/securecmd/client.crt board.example | drop --cert
      ''                                        | missing HOST
      """)
  void refusedCommandLines(String extra, String message) {
    Arguments.UsageException e = assertThrows(Arguments.UsageException.class,
        () -> EnrollCommand.Options.parse(args(extra)));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void withoutTokenOptionsItSaysWhichAreNeeded() {
    Arguments.UsageException e = assertThrows(Arguments.UsageException.class,
        () -> EnrollCommand.Options.parse(new String[] {"--ca", "/tmp/ca.pem", "board.example"}));
    assertTrue(e.getMessage().contains("enroll needs the PKCS#11 options"), e.getMessage());
  }

  @Test
  void aTokenBySlotIsRefusedBecauseTpm2PtoolNeedsItsLabel() {
    Arguments.UsageException e = assertThrows(Arguments.UsageException.class,
        () -> EnrollCommand.Options.parse(new String[] {"--pkcs11-module", "/usr/lib/libtpm2_pkcs11.so",
            "--pkcs11-slot", "1", "--pin-env", "PIN", "board.example"}));
    assertTrue(e.getMessage().contains("--pkcs11-token LABEL"), e.getMessage());
  }

  @Test
  void aUsageErrorExitsTwoAndPrintsTheUsage() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = EnrollCommand.run(args("--ek dsa board.example"), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8), new TokenLink("tpm2_ptool", Map.of()));
    assertEquals(2, code);
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("securecmd-client: enroll: --ek must be rsa or ecc: dsa\n"), text);
    assertTrue(text.contains("securecmd-client enroll [--tpm SPEC]"), text);
  }

  @Test
  void withoutTpm2PtoolItFailsBeforeTouchingTheTpmOrTheServer() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = EnrollCommand.run(args("--tpm swtpm:host=127.0.0.1,port=1 --port 1 127.0.0.1"),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
        new TokenLink("tpm2_ptool", Map.of("PATH", "/nonexistent")));
    assertEquals(3, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("tpm2_ptool not found: enroll needs tpm2-pkcs11's tools"),
        err.toString(StandardCharsets.UTF_8));
  }
}
