package org.securecmd.daemon.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one reading of systemd's environment ({@code Main} passes the process's): values out, or the bad variable named. */
class SystemdEnvironmentTest {
  @Test
  void mainsReadingOfTheEnvironmentNamesTheMalformedVariable() {
    IOException e = assertThrows(IOException.class,
        () -> SystemdEnvironment.from(Map.of("WATCHDOG_USEC", "soon")));
    assertTrue(e.getMessage().contains("WATCHDOG_USEC=\"soon\""), e.getMessage());
  }

  @Test
  void emptyEnvironmentIsNone() throws IOException {
    SystemdEnvironment none = SystemdEnvironment.from(Map.of());
    assertEquals(Optional.empty(), none.watchdog());
    assertEquals(Set.of(), none.sockets().activation().names());
    assertEquals(Notifier.NOOP, none.notifier());
  }
}
