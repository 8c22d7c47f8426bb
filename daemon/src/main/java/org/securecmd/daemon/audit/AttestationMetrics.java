package org.securecmd.daemon.audit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code QUOTE} verdicts since start, by state and result ({@code securecmd_attestation_total}): one count per
 * state an accepted quote satisfied ({@code attested}); {@code state_mismatch}, {@code bad_attestation} and
 * {@code failed} (the records could not be read) under state {@code -} (they satisfy none). The states are the operator's configured names, the results a
 * fixed vocabulary, so the label sets stay few.
 */
public final class AttestationMetrics {
  /** A state and a result, as the label pair. */
  public record Key(String state, String result) {}

  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

  public void quote(String state, String result) {
    counts.computeIfAbsent(new Key(state, result), k -> new LongAdder()).increment();
  }

  /** Every count, sorted by state then result. */
  public Map<Key, Long> counts() {
    Map<Key, Long> m = new TreeMap<>((a, b) -> a.state().equals(b.state()) ? a.result().compareTo(b.result())
        : a.state().compareTo(b.state()));
    counts.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
