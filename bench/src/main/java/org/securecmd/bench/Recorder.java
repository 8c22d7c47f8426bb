package org.securecmd.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Latencies of one bounded run (a fixed-size array: the run's count bounds it) and its outcome counters. */
final class Recorder {
  private final long[] nanos;
  private final AtomicInteger next = new AtomicInteger();
  final LongAdder errors = new LongAdder();
  final LongAdder resumed = new LongAdder();
  final LongAdder refusedFast = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  volatile String firstError;

  Recorder(int capacity) {
    nanos = new long[capacity];
  }

  void ok(long latencyNanos) {
    int i = next.getAndIncrement();
    if (i < nanos.length) nanos[i] = latencyNanos;
  }

  void error(Throwable e) {
    errors.increment();
    if (firstError == null) firstError = e.toString();
  }

  int count() {
    return Math.min(next.get(), nanos.length);
  }

  /** p in [0, 100]; milliseconds. */
  double percentileMillis(double p) {
    int n = count();
    if (n == 0) return Double.NaN;
    long[] sorted = Arrays.copyOf(nanos, n);
    Arrays.sort(sorted);
    int i = (int) Math.min(n - 1, Math.max(0, Math.ceil(p / 100.0 * n) - 1));
    return sorted[i] / 1e6;
  }
}
