package org.securecmd.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real HAProxy (Debian's package) in the foreground, running the shipped {@code etc/haproxy/securecmd.cfg}
 * with its placeholders filled, so the operator's guide and the test use one file. Killed on close.
 */
final class Haproxy implements AutoCloseable {
  static final Path SHIPPED_CONFIG = Path.of("../etc/haproxy/securecmd.cfg");
  private final DaemonProcess process;

  private Haproxy(DaemonProcess process) {
    this.process = process;
  }

  /** Fills the shipped config: the frontend, then one server line per daemon address (two lines in the file). */
  static String config(String frontend, List<String> daemons) throws IOException {
    String text = Files.readString(SHIPPED_CONFIG);
    if (!text.contains("@FRONTEND@") || !text.contains("@DAEMON_1@") || !text.contains("@DAEMON_2@")) {
      throw new AssertionError(SHIPPED_CONFIG + " lost its placeholders");
    }
    text = text.replace("@FRONTEND@", frontend);
    for (int i = 0; i < 2; i++) {
      String placeholder = "@DAEMON_" + (i + 1) + "@";
      text = i < daemons.size() ? text.replace(placeholder, daemons.get(i))
          : text.replaceAll("(?m)^\\s*server daemon" + (i + 1) + " " + placeholder + "\\n", "");
    }
    return text;
  }

  static Haproxy start(Path dir, String frontend, List<String> daemons) throws IOException {
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, config(frontend, daemons));
    String binary = Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy" : "haproxy";
    if (binary.equals("haproxy") && !Files.isExecutable(Path.of("/usr/bin/haproxy"))) {
      throw new AssertionError("haproxy is not installed: apt-get install haproxy (listed in scripts/ci-packages.txt)");
    }
    return new Haproxy(DaemonProcess.of(new ProcessBuilder(binary, "-db", "-f", cfg.toString())));
  }

  DaemonProcess process() {
    return process;
  }

  String output() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
  }
}
