package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.TestPki;

/**
 * {@code "*"} matches certified clients only: a client without a certificate gets in only through
 * {@code allow_anonymous}, at connect ({@code [clients]}) and per command. Real handshakes, with and
 * without a client certificate.
 */
class AnonymousClientsTest {
  @TempDir Path dir;

  /** The shipped config ("*" everywhere) with auth switched to "optional": no secret for anyone without a certificate. */
  @Test
  void optionalAuthWithStarEverywhereServesNothingToAnonymousClients() throws Exception {
    String commands = "[commands.SHIPPED]\nreply = \"SHIPPED_SECRET\"\nallow = [\"*\"]";
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("auth = \"optional\"\nallow = [\"*\"]", commands))) {
      try (Connection c = d.connect(null)) {
        assertEquals(Reply.error(ErrorCode.FORBIDDEN, "a client certificate is required"), c.send("SHIPPED"));
      }
      assertEquals("SHIPPED_SECRET", d.send(d.device, "SHIPPED").text(), "certified clients are served");
    }
  }

  @Test
  void allowAnonymousAdmitsToPingAndWhoamiAndToCommandsThatAllowAnonymousOnly() throws Exception {
    String commands = """
        [commands.PUBLIC]
        reply = "hello"
        allow_anonymous = true
        [commands.FLEET]
        reply = "fleet only"
        allow = ["*"]
        """;
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config(
        "auth = \"optional\"\nallow = [\"*\"]\nallow_anonymous = true", commands))) {
      try (Connection c = d.connect(null)) {
        assertEquals("PONG", c.send("PING").text());
        assertEquals("anonymous", c.send("WHOAMI").text());
        assertEquals("hello", c.send("PUBLIC").text());
        assertEquals(ErrorCode.FORBIDDEN, c.send("FLEET").code(), "\"*\" does not match a client without a certificate");
        assertEquals(ErrorCode.FORBIDDEN, c.send("GET_SECRET").code());
      }
      try (Connection c = d.connect(d.device)) {
        assertEquals("fleet only", c.send("FLEET").text());
        assertEquals(ErrorCode.FORBIDDEN, c.send("PUBLIC").code(), "allow_anonymous admits no certified client");
      }
    }
  }

  @Test
  void aCertificateWithTheCnAnonymousIsNotAnAnonymousClient() throws Exception {
    String commands = "[commands.PUBLIC]\nreply = \"hello\"\nallow_anonymous = true";
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config(
        "auth = \"optional\"\nallow = [\"trusted-client\"]\nallow_anonymous = true", commands))) {
      TestPki.Issued namedAnonymous = d.pki.issue(TestPki.spec("anonymous").clientAuth());
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "identity not allowed to connect"), d.send(namedAnonymous, "PING"));
      assertEquals("hello", d.send(null, "PUBLIC").text(), "while a client without a certificate is admitted");
    }
  }

  @Test
  void authNoneWithoutAllowAnonymousRefusesEveryConnection() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("auth = \"none\"\nallow = [\"*\"]", ""))) {
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "a client certificate is required"), d.send(null, "PING"));
    }
  }
}
