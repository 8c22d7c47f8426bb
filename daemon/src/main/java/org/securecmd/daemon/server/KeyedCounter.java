package org.securecmd.daemon.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of something each key holds now (handshakes in progress per source address, open connections per
 * identity), with a cap checked and taken in one step. A key whose count drops to zero is removed, so the
 * map never holds more keys than there are holders.
 */
final class KeyedCounter<K> {
  private final Map<K, Integer> counts = new ConcurrentHashMap<>();

  /** Takes one for {@code key} unless it already holds {@code max}; returns whether it took one. */
  boolean tryAcquire(K key, int max) {
    boolean[] taken = {false};
    counts.compute(key, (k, n) -> {
      int held = n == null ? 0 : n;
      if (held >= max) return n;
      taken[0] = true;
      return held + 1;
    });
    return taken[0];
  }

  /** Gives back one taken by {@link #tryAcquire}. */
  void release(K key) {
    counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  int count(K key) {
    return counts.getOrDefault(key, 0);
  }

  int keys() {
    return counts.size();
  }
}
