package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.ConfigLoader;

/** What is checked before any connection: the password file and whether the URL verifies the server. */
class StateCheckTest {
  @TempDir Path dir;

  private Config config(String passwordFile) throws ConfigException {
    return ConfigLoader.parse(dir.resolve("config.toml"), """
        [state]
        backend = "postgresql"
        url = "jdbc:postgresql://127.0.0.1/x"
        password_file = "%s"
        """.formatted(passwordFile));
  }

  @Test
  void thePasswordIsTheFirstLineWithoutItsLineEnd() throws Exception {
    Path f = dir.resolve("pw");
    Files.writeString(f, "s3cret pass\r\nsecond line\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    assertArrayEquals("s3cret pass".toCharArray(), PasswordFile.read(config("pw").origins(), f));
  }

  @Test
  void aPasswordFileEveryoneCanReadIsRefusedLikeTheServerKey() throws Exception {
    Path f = dir.resolve("pw");
    Files.writeString(f, "s3cret\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    ConfigException e = assertThrows(ConfigException.class, () -> StateStores.check(config("pw")));
    assertEquals(dir.resolve("config.toml") + ":4: [state] password_file = \"" + f + "\": is accessible by all users"
        + " (mode rw-r--r--); run: chmod 0640 " + f + " (or 0600)", e.getMessage());
  }

  @Test
  void aMissingOrEmptyPasswordFileIsRefused() throws Exception {
    assertTrue(assertThrows(ConfigException.class, () -> StateStores.check(config("nope"))).getMessage()
        .endsWith("cannot read: no such file"));
    Files.writeString(dir.resolve("empty"), "\n");
    Files.setPosixFilePermissions(dir.resolve("empty"), PosixFilePermissions.fromString("rw-------"));
    assertTrue(assertThrows(ConfigException.class, () -> StateStores.check(config("empty"))).getMessage()
        .endsWith("its first line is empty"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "jdbc:postgresql://127.0.0.1:5432/x                         | false",
      "jdbc:postgresql://localhost/x                              | false",
      "jdbc:postgresql://[::1]:5432/x                             | false",
      "jdbc:postgresql:x                                          | false",
      "jdbc:postgresql://db.example/x                             | true",
      "jdbc:postgresql://10.0.0.5/x?sslmode=require               | true",
      "jdbc:postgresql://10.0.0.5,127.0.0.1/x?sslmode=verify-ca   | true",
      "jdbc:postgresql://db.example/x?sslmode=verify-full&sslrootcert=/etc/ca.pem | false",
  })
  void warnsWhenTheUrlDoesNotVerifyANonLoopbackServer(String url, boolean warns) {
    Optional<String> w = DatabaseUrl.parse(url).warning();
    assertEquals(warns, w.isPresent(), url + ": " + w);
    w.ifPresent(text -> assertTrue(text.contains("sslmode=verify-full"), text));
  }
}
