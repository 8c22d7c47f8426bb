package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --attest} (a flag) and {@code --tpm SPEC} (an option, also a config key). */
class AttestArgumentsTest {
  @TempDir Path dir;

  private Arguments parse(String... args) throws Exception {
    Path empty = Files.writeString(dir.resolve("client.properties"), "");
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = empty.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return Arguments.parse(all);
  }

  @Test
  void attestIsAFlagBeforeTheHostAndTheTpmDefaultsToTheKernelsResourceManager() throws Exception {
    Arguments a = parse("--attest", "fleet.example", "UNLOCK");
    assertTrue(a.attest());
    assertEquals("device:/dev/tpmrm0", a.tpm());
    assertEquals("fleet.example", a.host());
    assertEquals("UNLOCK", a.request());
  }

  @Test
  void tpmNamesAnotherTpm() throws Exception {
    Arguments a = parse("--attest", "--tpm", "swtpm:host=127.0.0.1,port=2321", "h");
    assertEquals("swtpm:host=127.0.0.1,port=2321", a.tpm());
  }

  @Test
  void withoutAttestNothingIsQuoted() throws Exception {
    assertFalse(parse("h").attest());
  }

  @Test
  void attestAfterTheHostIsPartOfTheCommand() throws Exception {
    Arguments a = parse("h", "--attest");
    assertFalse(a.attest());
    assertEquals("--attest", a.request());
  }

  @Test
  void tpmNeedsAValue() {
    Arguments.UsageException e = assertThrows(Arguments.UsageException.class, () -> parse("--attest", "--tpm"));
    assertTrue(e.getMessage().contains("--tpm"), e.getMessage());
  }
}
