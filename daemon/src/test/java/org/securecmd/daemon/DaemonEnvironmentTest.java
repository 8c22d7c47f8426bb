package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.systemd.DatagramReceiver;

/**
 * The environment is read once, by {@link Main}: a daemon built with an explicit {@code SystemdEnvironment}
 * ignores the process's real {@code NOTIFY_SOCKET}, {@code LISTEN_*} and {@code WATCHDOG_*}.
 */
class DaemonEnvironmentTest {
  @TempDir Path dir;

  @Test
  void daemonBuiltWithExplicitEnvironmentIgnoresTheProcesssRealOne() throws Exception {
    // A malformed WATCHDOG_USEC stops a daemon that reads it (it did before the environment was passed in);
    // a real NOTIFY_SOCKET would receive READY=1 and STATUS= from one that used it.
    String notify = dir.resolve("notify").toString();
    try (DatagramReceiver systemd = new DatagramReceiver(notify, Duration.ofMillis(20));
         DaemonProcess child = DaemonProcess.start(Map.of("NOTIFY_SOCKET", notify, "WATCHDOG_USEC", "soon",
             "LISTEN_FDS", "two", "LISTEN_PID", "1", "LISTEN_FDNAMES", "main"),
             ExplicitEnvironmentMain.class.getName(), dir.toString())) {
      assertEquals(0, child.exitCode(Duration.ofSeconds(60)), child.output());
      assertTrue(child.output().contains("reply PONG"), child.output());
      // The child has exited, so anything it sent is already queued here: the short receive only empties it.
      assertThrows(IOException.class, systemd::receive, "the daemon notified the process's NOTIFY_SOCKET");
    }
  }
}
