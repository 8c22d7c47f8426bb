package org.securecmd.daemon.audit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * PROXY protocol v2 counters: the balancer's health checks (LOCAL headers, which are not failures) and
 * refused headers by reason. Reasons come from a fixed vocabulary (the parser's reasons, {@code not_listed},
 * {@code timeout}), so the labels stay bounded.
 */
public final class ProxyCounters {
  private final LongAdder healthChecks = new LongAdder();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

  void healthCheck() {
    healthChecks.increment();
  }

  void refused(String reason) {
    refused.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  public Snapshot snapshot() {
    Map<String, Long> r = new TreeMap<>();
    refused.forEach((k, v) -> r.put(k, v.sum()));
    return new Snapshot(healthChecks.sum(), r);
  }

  /** @param refused by reason, sorted */
  public record Snapshot(long healthChecks, Map<String, Long> refused) {
    public Snapshot {
      refused = Map.copyOf(refused);
    }
  }
}
