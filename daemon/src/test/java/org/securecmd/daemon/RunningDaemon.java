package org.securecmd.daemon;

import java.nio.file.Path;

/**
 * A real daemon in this JVM for tests in other modules (through the daemon's test-jar): started from a
 * config file, listening on 127.0.0.1 on an ephemeral port whatever {@code [server] listen} says.
 *
 * <pre>{@code
 * try (RunningDaemon d = RunningDaemon.start(dir.resolve("config.toml"))) { connect to d.port() }
 * }</pre>
 */
public final class RunningDaemon implements AutoCloseable {
  private final Daemon.Started daemon;

  private RunningDaemon(Daemon.Started daemon) {
    this.daemon = daemon;
  }

  public static RunningDaemon start(Path configFile) throws Exception {
    return new RunningDaemon(TestDaemon.startOnLoopback(configFile));
  }

  public int port() throws java.io.IOException {
    return daemon.port();
  }

  /** Reloads the config file as it is now, as {@code systemctl reload securecmd} does. */
  public void reload() throws Exception {
    daemon.reload();
  }

  public Path adminSocket() {
    return daemon.adminSocket();
  }

  @Override
  public void close() throws InterruptedException {
    daemon.stop();
  }
}
