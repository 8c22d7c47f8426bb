package org.securecmd.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The daemon's own account of its cold start: when each phase of {@link Daemon#start} ended, in
 * milliseconds since {@code main} was entered, and the wall-clock time of {@code main}, so that what happened
 * before it (the launcher, the JVM's start) can be read off an outside clock (systemd's
 * {@code ExecMainStartTimestamp}, the bench's). One log line after READY=1 ({@link #summary}) and one when
 * the first connection passed its handshake and policy ({@link #firstConnection}); {@code bench/cold-start.sh}
 * reads both. Marking a phase is a {@code System.nanoTime()} call and a list append: nothing on the way to the
 * first reply waits for it. (The process's own start time is not used: Linux dates it in clock ticks from a
 * boot time it gives in whole seconds.)
 */
final class StartupPhases {
  private final long mainNanos = System.nanoTime();
  private final long mainMillis = System.currentTimeMillis();
  private final List<String> names = new ArrayList<>();
  private final List<Long> ends = new ArrayList<>();
  private final AtomicBoolean firstSeen = new AtomicBoolean();

  /** Phases of a start that nobody times (tests): marking still works, nobody reads it. */
  static StartupPhases untimed() {
    return new StartupPhases();
  }

  /** The phase {@code name} ended now. Called from the starting thread only. */
  synchronized void mark(String name) {
    names.add(name);
    ends.add(System.nanoTime());
  }

  /** Milliseconds since {@code main} was entered. */
  long sinceMain() {
    return (System.nanoTime() - mainNanos) / 1_000_000;
  }

  /**
   * E.g. {@code startup: config 61, tls 120, state 4, listener 2, admin+metrics 9, ready 3 (ready at 199 ms
   * after main, main at 1733576520123 ms)}: each phase's own duration, in order.
   */
  synchronized String summary() {
    StringBuilder s = new StringBuilder("startup:");
    long from = mainNanos;
    for (int i = 0; i < names.size(); i++) {
      s.append(i == 0 ? " " : ", ").append(names.get(i)).append(' ').append((ends.get(i) - from) / 1_000_000);
      from = ends.get(i);
    }
    return s.append(" (ready at ").append((from - mainNanos) / 1_000_000).append(" ms after main, main at ")
        .append(mainMillis).append(" ms)").toString();
  }

  /** The first call only: e.g. {@code first connection through handshake and policy at 402 ms after main}. */
  Optional<String> firstConnection() {
    if (!firstSeen.compareAndSet(false, true)) return Optional.empty();
    return Optional.of("startup: first connection through handshake and policy at " + sinceMain() + " ms after main");
  }
}
