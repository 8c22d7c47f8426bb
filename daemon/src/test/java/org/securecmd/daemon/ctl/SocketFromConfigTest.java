package org.securecmd.daemon.ctl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where securecmdctl finds the admin socket, including while the installed config is broken. */
class SocketFromConfigTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream errStream = new PrintStream(err, true, UTF_8);

  @Test
  void adminSocketOfTheConfigRelativeToItsDirectory() throws IOException {
    Path config = Files.writeString(dir.resolve("config.toml"), "[admin]\nsocket = \"run/admin.sock\"\n");
    assertEquals(dir.resolve("run/admin.sock"), Main.socketFrom(null, config, errStream));
    assertEquals(dir.resolve("run/admin.sock"), Main.socketFrom(config, dir.resolve("other.toml"), errStream));
    assertEquals(Main.DEFAULT_SOCKET, Main.socketFrom(null, dir.resolve("missing.toml"), errStream));
  }

  @Test
  void aConfigWrongOnlyElsewhereStillNamesItsSocket() throws IOException {
    // The daemon's loader reads [admin] alone here: a bad key in another table is for status to report.
    Path config = Files.writeString(dir.resolve("config.toml"),
        "[server]\nno_such_key = 1\n[admin]\nsocket = \"run/admin.sock\"\n");
    assertEquals(dir.resolve("run/admin.sock"), Main.socketFrom(config, dir.resolve("x"), errStream));
    Path unset = Files.writeString(dir.resolve("unset.toml"), "[admin]\ngroup = \"wheel\"\n");
    assertEquals(org.securecmd.daemon.config.AdminSettings.DEFAULT_SOCKET, Main.socketFrom(unset, dir.resolve("x"), errStream));
    Path bad = Files.writeString(dir.resolve("bad.toml"), "[admin]\nsocket = 5\n");
    IOException e = assertThrows(IOException.class, () -> Main.socketFrom(bad, dir.resolve("x"), errStream));
    assertTrue(e.getMessage().startsWith(bad + ":2: [admin] socket "), e.getMessage());
  }

  @Test
  void brokenDefaultConfigWarnsAndTriesTheDefaultSocket() throws IOException {
    // A refused reload leaves exactly this behind; status must still reach the daemon to say why.
    Path broken = Files.writeString(dir.resolve("config.toml"), "[tls\nthis is not toml\n");
    assertEquals(Main.DEFAULT_SOCKET, Main.socketFrom(null, broken, errStream));
    String warning = err.toString(UTF_8);
    assertTrue(warning.startsWith("securecmdctl: warning: " + broken + ":1: TOML syntax error"), warning);
    assertTrue(warning.contains("; trying /run/securecmd/admin.sock"), warning);
  }

  @Test
  void brokenConfigNamedWithDashDashConfigIsAnError() throws IOException {
    Path broken = Files.writeString(dir.resolve("config.toml"), "[tls\n");
    IOException e = assertThrows(IOException.class, () -> Main.socketFrom(broken, dir.resolve("x"), errStream));
    assertTrue(e.getMessage().endsWith("(or give --socket PATH)"), e.getMessage());
  }
}
