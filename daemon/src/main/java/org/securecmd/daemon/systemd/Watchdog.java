package org.securecmd.daemon.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends WATCHDOG=1 at half the {@code WatchdogSec=} interval that systemd announces in
 * {@code WATCHDOG_USEC}, as sd_watchdog_enabled(3) recommends; does nothing when no watchdog is
 * configured.
 *
 * <pre>{@code
 * Watchdog watchdog = new Watchdog(Watchdog.timeout(System.getenv()), notifier, scheduler);
 * watchdog.start();   // after READY=1
 * ...
 * watchdog.close();   // cancels the pings; the scheduler stays the caller's
 * }</pre>
 *
 * <p>The pings run on the caller's scheduler so that the daemon decides which thread keeps it
 * alive; a scheduler that is starved or shut down stops the pings and systemd restarts us,
 * which is the point of a watchdog.
 */
public final class Watchdog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

  private final Optional<Duration> timeout;
  private final Notifier notifier;
  private final ScheduledExecutorService scheduler;
  private ScheduledFuture<?> pings;

  /** @param timeout as {@link #timeout} read it; empty for a watchdog that does nothing */
  public Watchdog(Optional<Duration> timeout, Notifier notifier, ScheduledExecutorService scheduler) {
    this.timeout = timeout;
    this.notifier = notifier;
    this.scheduler = scheduler;
  }

  /**
   * This process's watchdog timeout as {@code env} configures it; see {@link #parse}.
   *
   * @throws IllegalArgumentException if {@code WATCHDOG_USEC} or {@code WATCHDOG_PID} is
   *     malformed
   */
  public static Optional<Duration> timeout(Map<String, String> env) {
    return parse(env, ProcessHandle.current().pid());
  }

  /**
   * The watchdog timeout, or empty when {@code WATCHDOG_USEC} is unset or {@code WATCHDOG_PID}
   * names another process (the variables leaked from a parent). {@code WATCHDOG_PID} unset means
   * this process, as in systemd.
   */
  static Optional<Duration> parse(Map<String, String> env, long ownPid) {
    String usec = env.get("WATCHDOG_USEC");
    if (usec == null) return Optional.empty();
    String pid = env.get("WATCHDOG_PID");
    if (pid != null && positive("WATCHDOG_PID", pid) != ownPid) return Optional.empty();
    return Optional.of(Duration.ofNanos(Math.multiplyExact(positive("WATCHDOG_USEC", usec), 1000L)));
  }

  private static long positive(String key, String value) {
    // At most 15 digits: microseconds beyond that overflow nanoseconds, and no pid is that long.
    if (!value.matches("[0-9]{1,15}") || Long.parseLong(value) == 0) {
      throw new IllegalArgumentException(
          key + "=\"" + value + "\": expected a positive decimal number");
    }
    return Long.parseLong(value);
  }

  /** Whether systemd expects pings from this process. */
  public boolean enabled() {
    return timeout.isPresent();
  }

  /** Time between pings: half the timeout. Empty when disabled. */
  public Optional<Duration> pingInterval() {
    return timeout.map(t -> t.dividedBy(2));
  }

  /** Starts pinging now and every {@link #pingInterval()}; no-op if disabled or started. */
  public synchronized void start() {
    if (pings != null || timeout.isEmpty()) return;
    long nanos = Math.max(1, pingInterval().orElseThrow().toNanos());
    log.debug("systemd watchdog: ping every {} ms", TimeUnit.NANOSECONDS.toMillis(nanos));
    pings = scheduler.scheduleAtFixedRate(this::ping, 0, nanos, TimeUnit.NANOSECONDS);
  }

  private void ping() {
    try {
      notifier.notify("WATCHDOG=1");
    } catch (RuntimeException e) {
      // A throwing task would be silently descheduled; keep trying and leave a trace.
      log.warn("systemd watchdog ping failed: {}", e.toString());
    }
  }

  /** Stops the pings. The scheduler is not shut down: it belongs to the caller. */
  @Override
  public synchronized void close() {
    if (pings != null) pings.cancel(false);
  }
}
