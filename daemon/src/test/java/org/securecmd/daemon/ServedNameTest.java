package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.TestPki;

/**
 * The name that is authorised is the name that is served: a certificate names one device (one CN), {@code
 * {client}} is that CN and must be what the allow list matched, and a reply file is read only if it is a
 * regular file in a directory that holds none of the daemon's own files. Real handshakes on loopback.
 */
class ServedNameTest {
  @TempDir Path dir;

  private static String config(String command) {
    return TestDaemon.config("allow = [\"*\"]", command);
  }

  @Test
  void aCertificateWithTwoCnsIsRefusedAtConnect() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, config(""))) {
      // TestPki writes "CN=" + the name, so these names make subjects with two CNs.
      TestPki.Issued twoRdns = d.pki.issue(TestPki.spec("sensor-1,CN=trusted-client").clientAuth());
      TestPki.Issued multiValued = d.pki.issue(TestPki.spec("sensor-1+CN=trusted-client").clientAuth());
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate subject has more than one CN"),
          d.send(twoRdns, "GET_SECRET"));
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "certificate subject has a multi-valued RDN holding a CN"),
          d.send(multiValued, "GET_SECRET"));
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
    }
  }

  @Test
  void aDeviceAllowedByItsDnsNameIsNotServedTheFileOfItsCn() throws Exception {
    String command = """
        [commands.GET_FILE]
        reply_file = "replies/{client}"
        allow = ["sensor-*"]
        """;
    Files.createDirectories(dir.resolve("replies"));
    Files.writeString(dir.resolve("replies/admin-box"), "ADMIN_SECRET\n");
    Files.writeString(dir.resolve("replies/sensor-1"), "SENSOR_SECRET\n");
    try (TestDaemon d = TestDaemon.start(dir, config(command))) {
      TestPki.Issued confused = d.pki.issue(TestPki.spec("admin-box").dns("sensor-1").clientAuth());
      assertEquals(Reply.error(ErrorCode.FORBIDDEN, "not allowed for this client"), d.send(confused, "GET_FILE"));
      TestPki.Issued sensor = d.pki.issue(TestPki.spec("sensor-1").clientAuth());
      assertEquals("SENSOR_SECRET", d.send(sensor, "GET_FILE").text());
    }
  }

  @Test
  void aSymbolicLinkInPlaceOfAReplyFileIsNotFollowed() throws Exception {
    String command = """
        [commands.GET_FILE]
        reply_file = "replies/{client}"
        encoding = "base64"
        allow = ["trusted-client"]
        """;
    Files.createDirectories(dir.resolve("replies"));
    Files.writeString(dir.resolve("elsewhere.txt"), "NOT_FOR_DEVICES\n");
    Files.createSymbolicLink(dir.resolve("replies/trusted-client"), dir.resolve("elsewhere.txt"));
    try (TestDaemon d = TestDaemon.start(dir, config(command))) {
      assertEquals(Reply.error(ErrorCode.UNAVAILABLE, "reply not available"), d.send(d.device, "GET_FILE"));
      Files.delete(dir.resolve("replies/trusted-client"));
      Files.writeString(dir.resolve("replies/trusted-client"), "MINE\n");
      assertEquals(java.util.Base64.getEncoder().encodeToString("MINE\n".getBytes()),
          d.send(d.device, "GET_FILE").text(), "a regular file is served");
    }
  }

  @Test
  void aReplyFileTemplateInTheDirectoryOfTheServerKeyIsAConfigError() throws Exception {
    String command = """
        [commands.GET_FILE]
        reply_file = "{client}"
        allow = ["*"]
        """;
    ConfigException e = assertThrows(ConfigException.class, () -> TestDaemon.start(dir, config(command)));
    assertTrue(e.getMessage().startsWith(dir.resolve("config.toml") + ":20: [commands.GET_FILE] reply_file = \"{client}\": "
        + "a device's name picks a file in " + dir + ", which also holds the daemon's own files"), e.getMessage());
    // The same check at --check-config time, before anything listens.
    assertThrows(ConfigException.class, () -> Daemon.checkConfig(dir.resolve("config.toml")));
    assertTrue(Files.exists(dir.resolve("server.key")), "the key is where the template would have found it");
  }
}
