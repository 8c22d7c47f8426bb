package org.securecmd.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin socket as other users see it: securecmdctl runs in a new JVM under another uid (setpriv), so
 * the daemon sees that uid through SO_PEERCRED. Needs root (to switch uid and to create a throwaway system
 * group and user); skipped otherwise.
 */
class AdminPeerCredentialTest {
  private static final long WAIT_SECONDS = 60;
  private static final String NOBODY = "65534";

  @TempDir Path dir;
  private TestDaemon d;
  private String classPath;
  private final List<List<String>> cleanup = new ArrayList<>();

  @BeforeEach
  void requireRoot() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "needs root to run securecmdctl as another uid (setpriv) and to create a throwaway group");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
    // The JUnit temp dir is 0700; other users must reach the socket and a copy of the classes.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    // securecmdctl's own classes and what they load (the config reader and its TOML library, the protocol
    // module), each copied where the other user can read it, as the package's lib/ directory would hold them.
    List<String> entries = new ArrayList<>();
    Class<?>[] needed = {org.securecmd.daemon.ctl.Main.class, org.securecmd.protocol.Reply.class,
        org.tomlj.Toml.class, org.antlr.v4.runtime.Lexer.class, org.slf4j.Logger.class};
    for (int i = 0; i < needed.length; i++) {
      Path from = Path.of(needed[i].getProtectionDomain().getCodeSource().getLocation().toURI());
      Path to = dir.resolve("cp" + i + (Files.isDirectory(from) ? "" : ".jar"));
      if (Files.isDirectory(from)) {
        copyTree(from, to);
      } else {
        Files.copy(from, to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
      }
      entries.add(to.toString());
    }
    classPath = String.join(java.io.File.pathSeparator, entries);
  }

  @AfterEach
  void stop() throws Exception {
    if (d != null) d.close();
    for (List<String> command : cleanup.reversed()) run(command);
  }

  @Test
  void otherUserIsRefusedByFileModeAndBySoPeercred() throws Exception {
    d = TestDaemon.start(dir, TestDaemon.config("", ""));
    Path socket = d.daemon.adminSocket();
    Result byMode = ctlAs(List.of("--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"), socket);
    assertEquals(4, byMode.code, byMode.toString());
    assertTrue(byMode.err.contains("access denied to " + socket), byMode.toString());

    // With the file mode opened up (a mistake), SO_PEERCRED still refuses.
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    Result byCredentials = ctlAs(List.of("--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"), socket);
    assertEquals(4, byCredentials.code, byCredentials.toString());
    assertTrue(byCredentials.err.contains("access denied: user nobody (group nogroup) is neither root nor in the"
        + " admin group securecmd-admin"), byCredentials.toString());
  }

  @Test
  void adminGroupMembersAreAllowedByPrimaryGroupOrMemberList() throws Exception {
    String suffix = Integer.toString(new Random().nextInt(1 << 20), 36);
    String group = "sctest-adm-" + suffix;
    String member = "sctest-usr-" + suffix;
    assumeTrue(run(List.of("groupadd", "--system", group)) == 0, "groupadd failed");
    cleanup.add(List.of("groupdel", group));
    assumeTrue(run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
        "--groups", group, member)) == 0, "useradd failed");
    cleanup.add(List.of("userdel", member));
    d = TestDaemon.start(dir, TestDaemon.config("", "")
        .replace("socket = \"admin.sock\"", "socket = \"admin.sock\"\ngroup = \"" + group + "\""));
    Path socket = d.daemon.adminSocket();
    assertEquals(group, Files.readAttributes(socket, java.nio.file.attribute.PosixFileAttributes.class)
        .group().getName());

    Result listed = ctlAs(List.of("--reuid=" + member, "--regid=" + member, "--init-groups"), socket);
    assertEquals(0, listed.code, "a member listed in the group: " + listed);
    assertTrue(listed.out.contains("generation:  1"), listed.toString());

    Result primary = ctlAs(List.of("--reuid=" + NOBODY, "--regid=" + group, "--clear-groups"), socket);
    assertEquals(0, primary.code, "a process whose primary group is the admin group: " + primary);
  }

  private record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Result ctlAs(List<String> setpriv, Path socket) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv"));
    command.addAll(setpriv);
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp", classPath,
        org.securecmd.daemon.ctl.Main.class.getName(), "--socket", socket.toString(), "status"));
    Path out = Files.createTempFile("ctl-out", ".txt");
    Path err = Files.createTempFile("ctl-err", ".txt");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "securecmdctl did not finish: " + command);
      return new Result(p.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static int run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(f, target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }
}
