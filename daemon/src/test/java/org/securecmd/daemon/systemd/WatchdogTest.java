package org.securecmd.daemon.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WatchdogTest {
  private static final long PID = 4242;
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

  @AfterEach
  void shutdown() {
    scheduler.shutdownNow();
  }

  private static Map<String, String> env(String usec, String pid) {
    Map<String, String> env = new HashMap<>();
    if (usec != null) env.put("WATCHDOG_USEC", usec);
    if (pid != null) env.put("WATCHDOG_PID", pid);
    return env;
  }

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of(env(null, null), Optional.empty()),
        Arguments.of(env(null, "4242"), Optional.empty()),
        Arguments.of(env("30000000", null), Optional.of(Duration.ofSeconds(30))),
        Arguments.of(env("30000000", "4242"), Optional.of(Duration.ofSeconds(30))),
        Arguments.of(env("30000000", "4243"), Optional.empty()),
        Arguments.of(env("1", null), Optional.of(Duration.ofNanos(1000))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void parsesAsSystemdDoes(Map<String, String> env, Optional<Duration> timeout) {
    assertEquals(timeout, Watchdog.parse(env, PID));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(env("", null), "WATCHDOG_USEC=\"\": expected a positive decimal number"),
        Arguments.of(env("0", null), "WATCHDOG_USEC=\"0\": expected a positive decimal number"),
        Arguments.of(env("-5", null), "WATCHDOG_USEC=\"-5\": expected a positive decimal number"),
        Arguments.of(env("30s", null), "WATCHDOG_USEC=\"30s\": expected a positive decimal number"),
        Arguments.of(env("1234567890123456", null),
            "WATCHDOG_USEC=\"1234567890123456\": expected a positive decimal number"),
        Arguments.of(env("30000000", "x"), "WATCHDOG_PID=\"x\": expected a positive decimal number"),
        Arguments.of(env("30000000", "0"), "WATCHDOG_PID=\"0\": expected a positive decimal number"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalid")
  void rejectsMalformedValuesNamingTheVariable(Map<String, String> env, String message) {
    var e = assertThrows(IllegalArgumentException.class, () -> Watchdog.parse(env, PID));
    assertEquals(message, e.getMessage());
  }

  @Test
  void pingsAtHalfTheIntervalUntilClosed() throws InterruptedException {
    List<String> sent = new CopyOnWriteArrayList<>();
    CountDownLatch threePings = new CountDownLatch(3);
    Notifier recording = state -> {
      sent.add(state);
      threePings.countDown();
    };
    scheduler.setRemoveOnCancelPolicy(true);
    var watchdog = new Watchdog(Watchdog.parse(env("20000", null), PID), recording, scheduler);
    assertEquals(Optional.of(Duration.ofMillis(10)), watchdog.pingInterval());

    watchdog.start();
    watchdog.start();  // idempotent: still one periodic task
    assertEquals(1, scheduler.getQueue().size());
    assertTrue(threePings.await(30, TimeUnit.SECONDS), "pings so far: " + sent);
    watchdog.close();

    assertTrue(scheduler.getQueue().isEmpty(), "cancelled task left the queue");
    assertTrue(sent.stream().allMatch("WATCHDOG=1"::equals), sent.toString());
    assertFalse(scheduler.isShutdown(), "the caller's scheduler stays usable");
  }

  @Test
  void disabledWatchdogSchedulesNothing() {
    var watchdog = new Watchdog(Watchdog.timeout(Map.of()), state -> {
      throw new AssertionError("pinged: " + state);
    }, scheduler);
    assertFalse(watchdog.enabled());
    assertEquals(Optional.empty(), watchdog.pingInterval());
    watchdog.start();
    watchdog.close();
    assertEquals(0, scheduler.getTaskCount());
  }

  @Test
  void throwingNotifierDoesNotStopThePings() throws InterruptedException {
    CountDownLatch twoAttempts = new CountDownLatch(2);
    Notifier flaky = state -> {
      twoAttempts.countDown();
      throw new IllegalStateException("socket gone");
    };
    try (var watchdog = new Watchdog(Optional.of(Duration.ofMillis(40)), flaky, scheduler)) {
      watchdog.start();
      assertTrue(twoAttempts.await(30, TimeUnit.SECONDS));
    }
  }
}
