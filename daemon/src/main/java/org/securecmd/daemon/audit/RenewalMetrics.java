package org.securecmd.daemon.audit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Renewal counters since start: certificates issued, refusals by reason (a fixed vocabulary, see
 * {@code enroll.RenewalRefusal}), and how many connected devices expire within {@code renew_before}.
 */
public final class RenewalMetrics {
  private final LongAdder issued = new LongAdder();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
  private volatile IntSupplier due = () -> 0;

  public void issued() {
    issued.increment();
  }

  public void refused(String reason) {
    refused.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  /** Where the number of connected devices due for renewal comes from. */
  public void dueFrom(IntSupplier supplier) {
    this.due = supplier;
  }

  public long issuedCount() {
    return issued.sum();
  }

  /** Refusals by reason, sorted. */
  public Map<String, Long> refusedCounts() {
    Map<String, Long> m = new TreeMap<>();
    refused.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  public int devicesDue() {
    return due.getAsInt();
  }
}
