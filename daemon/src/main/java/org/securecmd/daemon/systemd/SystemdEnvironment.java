package org.securecmd.daemon.systemd;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What systemd tells this process through its environment ({@code NOTIFY_SOCKET}, {@code LISTEN_*},
 * {@code WATCHDOG_*}), read once by the daemon's {@code Main} and handed to the daemon as values, so that a
 * daemon built with {@link #NONE} (by hand, in a test) never picks up a variable that leaked into the process.
 *
 * <pre>{@code
 * new Daemon(config, Clock.systemUTC(), SystemdEnvironment.from(System.getenv()));   // Main, the one reader
 * }</pre>
 *
 * @param watchdog the {@code WatchdogSec=} timeout; empty when systemd expects no pings from this process
 */
public record SystemdEnvironment(Notifier notifier, SystemdSockets sockets, Optional<Duration> watchdog) {
  /** Not under systemd: no notifications, no passed sockets, no watchdog. */
  public static final SystemdEnvironment NONE =
      new SystemdEnvironment(Notifier.NOOP, SystemdSockets.NONE, Optional.empty());

  /** Whether systemd passed sockets or a notification socket: then libc calls (FFM) are made at start. */
  public boolean underSystemd() {
    return notifier != Notifier.NOOP || !sockets.activation().names().isEmpty();
  }

  /**
   * @throws IOException naming the variable when one is malformed or unsupported (the daemon then does not
   *     start: guessing could leave systemd waiting for a READY=1 or a ping that never comes)
   */
  public static SystemdEnvironment from(Map<String, String> env) throws IOException {
    SystemdSockets sockets = SystemdSockets.fromEnvironment(env);
    try {
      return new SystemdEnvironment(Notifier.fromEnvironment(env), sockets, Watchdog.timeout(env));
    } catch (IllegalArgumentException e) {
      throw new IOException("systemd environment: " + e.getMessage(), e);
    }
  }
}
