package org.securecmd.daemon.audit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * TPM-attested enrollment counters since start: certificates issued, requests that became pending (approve
 * mode), refusals by reason (a fixed vocabulary, see {@code enroll.EnrollmentRefused#label} and
 * docs/metrics.md), and enrollment connections (without a certificate) refused by the caps.
 */
public final class EnrollmentMetrics {
  private final LongAdder enrolled = new LongAdder();
  private final LongAdder pending = new LongAdder();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

  public void enrolled() {
    enrolled.increment();
  }

  public void pending() {
    pending.increment();
  }

  public void refused(String reason) {
    refused.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  public long enrolledCount() {
    return enrolled.sum();
  }

  public long pendingCount() {
    return pending.sum();
  }

  /** Refusals by reason, sorted. */
  public Map<String, Long> refusedCounts() {
    Map<String, Long> m = new TreeMap<>();
    refused.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
