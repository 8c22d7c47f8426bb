package org.securecmd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code [state]}: the backend and the PostgreSQL keys, one row per bad input. */
class StateSettingsTest {
  private static final Path FILE = Path.of("/etc/securecmd/config.toml");
  private static final String F = FILE.toString();

  static Stream<Arguments> badStateTables() {
    return Stream.of(
        Arguments.of("[state]\nbackend = \"postgres\"",
            F + ":2: [state] backend = \"postgres\": expected \"file\" or \"postgresql\""),
        Arguments.of("[state]\nbackend = \"postgresql\"",
            F + ":1: [state] url is required with backend = \"postgresql\" (jdbc:postgresql://HOST:PORT/DB)"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"postgresql://db/x\"",
            F + ":3: [state] url = \"postgresql://db/x\": expected a JDBC URL: jdbc:postgresql://HOST:PORT/DB"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"jdbc:postgresql://db/x?user=a&password=hunter2\"",
            F + ":3: [state] url = (hidden): must not carry the password; put it in a file named by password_file"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"jdbc:postgresql://db/x?password=hunter2\"",
            F + ":3: [state] url = (hidden): must not carry the password; put it in a file named by password_file"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"jdbc:postgresql://db/x?PassWord=hunter2\"",
            F + ":3: [state] url = (hidden): must not carry the password; put it in a file named by password_file"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"jdbc:postgresql://db/x?pass%77ord=hunter2\"",
            F + ":3: [state] url = (hidden): must not carry the password; put it in a file named by password_file"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"jdbc:postgresql://db/x?sslmode=verify-full&sslpassword=hunter2\"",
            F + ":3: [state] url = (hidden): must not carry sslpassword (a secret): give sslkey an unencrypted PKCS#8"
                + " key file readable only by the daemon's user, and put the login password, if any, in a file named by"
                + " password_file"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"jdbc:postgresql://db/x?sslPassword=hunter2\"",
            F + ":3: [state] url = (hidden): must not carry sslpassword (a secret): give sslkey an unencrypted PKCS#8"
                + " key file readable only by the daemon's user, and put the login password, if any, in a file named by"
                + " password_file"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"jdbc:postgresql://securecmd:hunter2@db/x\"",
            F + ":3: [state] url = (hidden): must not carry user-info (NAME:PASSWORD@HOST); put the user in [state]"
                + " user and the password in a file named by password_file"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"postgresql://db/x?sslmode=hunter2\"",
            F + ":3: [state] url = \"postgresql://db/x?...\": expected a JDBC URL: jdbc:postgresql://HOST:PORT/DB"),
        Arguments.of("[state]\nbackend = \"postgresql\"\nurl = \"jdbc:postgresql://db/x\"\nuser = \"\"",
            F + ":4: [state] user = \"\": is empty or contains control characters"),
        Arguments.of("[state]\nurl = \"jdbc:postgresql://db/x\"",
            F + ":2: [state] url = ...: is only used with backend = \"postgresql\""),
        Arguments.of("[state]\npassword_file = \"/etc/securecmd/db-password\"",
            F + ":2: [state] password_file = ...: is only used with backend = \"postgresql\""),
        Arguments.of("[state]\nbackend = 1", F + ":2: [state] backend = 1: expected a string"));
  }

  @ParameterizedTest
  @MethodSource("badStateTables")
  void badStateTableIsRefusedNamingFileLineAndKey(String toml, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE, toml));
    assertEquals(message, e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), "the password is never shown");
  }

  @Test
  void theDefaultIsTheFileBackend() throws ConfigException {
    StateSettings s = ConfigLoader.parse(FILE, "").state();
    assertEquals(StateSettings.Backend.FILE, s.backend());
    assertEquals(Path.of("/var/lib/securecmd"), s.directory());
    assertEquals(Optional.empty(), s.url());
  }

  @Test
  void postgresqlKeysAreReadAndThePasswordFileIsResolvedAgainstTheConfigDirectory() throws ConfigException {
    StateSettings s = ConfigLoader.parse(FILE, """
        [state]
        backend = "postgresql"
        url = "jdbc:postgresql://db.example:5432/securecmd?sslmode=verify-full&sslrootcert=/etc/securecmd/db-ca.pem"
        user = "securecmd"
        password_file = "db-password"
        """).state();
    assertEquals(StateSettings.Backend.POSTGRESQL, s.backend());
    assertEquals(Optional.of("securecmd"), s.user());
    assertEquals(Optional.of(Path.of("/etc/securecmd/db-password")), s.passwordFile());
  }

  @Test
  void secretFreeParametersSuchAsKeyAndCertificatePathsAreAccepted() throws ConfigException {
    StateSettings s = ConfigLoader.parse(FILE, """
        [state]
        backend = "postgresql"
        url = "jdbc:postgresql://db.example/securecmd?sslmode=verify-full&sslcert=/etc/securecmd/db.crt&sslkey=/etc/securecmd/db.pk8&sslpasswordcallback=x.Y&ApplicationName=passwordless"
        """).state();
    assertEquals(StateSettings.Backend.POSTGRESQL, s.backend());
  }
}
