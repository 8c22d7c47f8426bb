package org.securecmd.daemon;

import java.nio.file.Path;

/**
 * Child JVM for {@link DaemonEnvironmentTest}: a daemon built as tests build it ({@link TestDaemon}, so
 * {@code SystemdEnvironment.NONE}) inside a process whose real environment is systemd's. Prints the reply
 * to PING, then stops; an exception exits non-zero with its stack trace.
 */
public final class ExplicitEnvironmentMain {
  private ExplicitEnvironmentMain() {}

  public static void main(String[] args) throws Exception {
    try (TestDaemon d = TestDaemon.start(Path.of(args[0]), TestDaemon.config("", ""))) {
      System.out.println("reply " + d.send(d.device, "PING").text());
    }
    System.exit(0);
  }
}
