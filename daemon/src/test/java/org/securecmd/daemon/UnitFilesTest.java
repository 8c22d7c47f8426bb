package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.securecmd.daemon.systemd.SystemdSockets;

/** The systemd units in etc/: the settings the daemon relies on, and the hardening score we track. */
class UnitFilesTest {
  private static final Path ETC = Path.of("..", "etc");

  @Test
  void socketHandsOverOneSocketNamedMain() throws Exception {
    List<String> lines = Files.readAllLines(ETC.resolve("securecmd.socket"));
    assertTrue(lines.contains("ListenStream=5000"), lines.toString());
    assertTrue(lines.contains("FileDescriptorName=" + SystemdSockets.MAIN), lines.toString());
    assertEquals(1, lines.stream().filter(l -> l.startsWith("Listen")).count(), "FileDescriptorName= names every socket of a unit");
  }

  @Test
  void serviceIsNotifyTypeReloadsThroughTheAdminSocketAndIsHardened() throws Exception {
    List<String> lines = Files.readAllLines(ETC.resolve("securecmd.service"));
    // kill -HUP exits 0 whatever the daemon then decides; securecmdctl reload exits 1 on a refused reload.
    // "+": as root, the one peer the admin check admits without a group lookup.
    for (String required : List.of("Type=notify", "NotifyAccess=main",
        "ExecReload=+/usr/bin/securecmdctl --socket /run/securecmd/admin.sock reload", "LimitCORE=0",
        "SuccessExitStatus=143", "StandardOutput=journal", "User=securecmd", "RuntimeDirectory=securecmd",
        "StateDirectory=securecmd", "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "SystemCallFilter=@system-service")) {
      assertTrue(lines.contains(required), "securecmd.service lacks " + required);
    }
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("MemoryDenyWriteExecute")), "kills the JVM's JIT");
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("PrivateUsers")),
        "PrivateUsers= maps every peer to nobody, so SO_PEERCRED could no longer tell root from others");
  }

  @Test
  void reloadUsesTheShippedAdminSocketPath() throws Exception {
    String unit = Files.readString(ETC.resolve("securecmd.service"));
    String config = Files.readString(ETC.resolve("config.toml"));
    assertTrue(unit.contains("RuntimeDirectory=securecmd\n"), "the admin socket's directory is the unit's");
    assertTrue(config.contains("socket = \"/run/securecmd/admin.sock\""), "ExecReload= names the template's socket");
  }

  @Test
  void directoryModesAreWhatThePostinstMakes() throws Exception {
    // systemd leaves an existing StateDirectory's mode alone and logs the difference on every start.
    String unit = Files.readString(ETC.resolve("securecmd.service"));
    String postinst = Files.readString(Path.of("..", "packaging", "src", "deb", "control", "postinst"));
    Matcher unitMode = Pattern.compile("(?m)^StateDirectoryMode=0?([0-7]{3})$").matcher(unit);
    Matcher created = Pattern.compile("install -d -o securecmd -g securecmd -m 0?([0-7]{3}) /var/lib/securecmd")
        .matcher(postinst);
    assertTrue(unitMode.find(), "no StateDirectoryMode= in the unit");
    assertTrue(created.find(), "the postinst no longer creates /var/lib/securecmd");
    assertEquals(created.group(1), unitMode.group(1), "StateDirectoryMode= and the postinst disagree");
    assertEquals("700", unitMode.group(1), "the deny list is the service's alone");
    Matcher configMode = Pattern.compile("(?m)^ConfigurationDirectoryMode=0?([0-7]{3})$").matcher(unit);
    Matcher override = Pattern.compile("dpkg-statoverride --update --add root securecmd 0?([0-7]{3}) /etc/securecmd\n")
        .matcher(postinst);
    assertTrue(configMode.find(), "no ConfigurationDirectoryMode= (the default 0755 differs from the postinst's)");
    assertTrue(override.find(), "the postinst no longer sets /etc/securecmd's mode");
    assertEquals(override.group(1), configMode.group(1), "ConfigurationDirectoryMode= and the postinst disagree");
  }

  @Test
  void exposureScoreIsAtMostOnePointFive() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
    Process p = new ProcessBuilder("sh", ETC.resolve("check-unit-security.sh").toString()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze did not finish");
    System.out.print(out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.startsWith("systemd-analyze security securecmd.service: "), out);
  }
}
