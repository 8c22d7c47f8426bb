package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StartupPhasesTest {
  // the format bench/cold-start.sh parses
  private static final Pattern SUMMARY = Pattern.compile(
      "startup: (.*) \\(ready at (\\d+) ms after main, main at (\\d+) ms\\)");

  @Test
  void summaryListsEachPhaseInOrderWithItsOwnDurationAddingUpToReady() {
    StartupPhases phases = new StartupPhases();
    phases.mark("config");
    phases.mark("tls");
    phases.mark("ready");

    Matcher m = SUMMARY.matcher(phases.summary());
    assertTrue(m.matches(), phases.summary());
    String[] parts = m.group(1).split(", ");
    assertEquals(3, parts.length, m.group(1));
    long sum = 0;
    String[] names = {"config", "tls", "ready"};
    for (int i = 0; i < parts.length; i++) {
      String[] nameAndMs = parts[i].split(" ");
      assertEquals(names[i], nameAndMs[0]);
      sum += Long.parseLong(nameAndMs[1]);
    }
    long ready = Long.parseLong(m.group(2));
    // each duration is truncated to whole ms, so the sum may fall short of the total by under 1 ms each
    assertTrue(ready - sum >= 0 && ready - sum < parts.length, "sum " + sum + " vs ready " + ready);
    long main = Long.parseLong(m.group(3));
    assertTrue(Math.abs(System.currentTimeMillis() - main) < 60_000, "main at " + main);
  }

  @Test
  void onlyTheFirstConnectionIsReported() {
    StartupPhases phases = new StartupPhases();
    Optional<String> first = phases.firstConnection();
    assertTrue(first.orElseThrow().matches("startup: first connection through handshake and policy at \\d+ ms after main"),
        first.get());
    assertEquals(Optional.empty(), phases.firstConnection());
  }
}
