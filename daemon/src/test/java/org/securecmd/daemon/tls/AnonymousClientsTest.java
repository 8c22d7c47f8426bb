package org.securecmd.daemon.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.securecmd.daemon.config.ConfigLoader;

/** The warning a config loads with when its handshake lets in clients that nothing admits after it. */
class AnonymousClientsTest {
  private static final Path FILE = Path.of("/etc/securecmd/config.toml");

  @ParameterizedTest(name = "[{index}] auth={0} allow_anonymous={1}")
  @CsvSource(delimiter = '|', textBlock = """
      required | false | -
      required | true  | [clients] allow_anonymous = true has no effect while auth = "required": every client presents a certificate
      optional | true  | -
      none     | true  | -
      optional | false | [clients] auth = "optional" but [clients] allow_anonymous is false: clients without a certificate complete the handshake and are then refused ("*" matches certified clients only); set auth = "required", or allow_anonymous = true to admit them
      none     | false | [clients] auth = "none" but [clients] allow_anonymous is false: no client presents a certificate, so every connection is refused after the handshake; set allow_anonymous = true (and per command) to serve clients without certificates
      """)
  void warnsWhenAuthAndAllowAnonymousDisagree(String auth, boolean allowAnonymous, String expected) throws Exception {
    var config = ConfigLoader.parse(FILE, "[clients]\nauth = \"" + auth + "\"\nallow = [\"*\"]\nallow_anonymous = "
        + allowAnonymous + "\n");
    assertEquals(expected, AnonymousClients.warning(config).orElse("-"));
  }
}
