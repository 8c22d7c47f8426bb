package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What every {@link QuoteLog} does, on one host and as another host sees it. */
abstract class QuoteLogContract {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  /** A fresh, empty log (for the database: a new database). */
  abstract void newLog() throws Exception;

  /** The log as host {@code name} opens it. */
  abstract QuoteLog host(String name) throws Exception;

  static QuoteLog.Values values(String identity, int pcr16, Instant at) {
    TreeMap<Integer, byte[]> pcrs = new TreeMap<>();
    pcrs.put(0, new byte[32]);
    byte[] v = new byte[32];
    v[31] = (byte) pcr16;
    pcrs.put(16, v);
    return new QuoteLog.Values(identity, pcrs, at);
  }

  @Test
  void theLastVerifiedValuesReplaceTheEarlierOnesPerDevice() throws Exception {
    newLog();
    QuoteLog a = host("a");
    a.verified(values("dev-1", 1, T0));
    a.verified(values("dev-1", 2, T0.plusSeconds(60)));
    a.verified(values("dev-2", 9, T0));
    QuoteLog.Values last = host("b").lastVerified("dev-1").orElseThrow();
    assertEquals(T0.plusSeconds(60), last.at());
    assertEquals(List.of(0, 16), List.copyOf(last.pcrs().keySet()));
    assertArrayEquals(values("dev-1", 2, T0).pcrs().get(16), last.pcrs().get(16));
    assertEquals(Optional.empty(), host("b").lastVerified("dev-3"));
  }

  @Test
  void onlyTheLastFewMismatchesAreKeptNewestFirst() throws Exception {
    newLog();
    QuoteLog a = host("a");
    for (int i = 0; i < QuoteLog.KEPT_MISMATCHES + 3; i++) a.mismatched(values("dev-1", i, T0.plusSeconds(i)));
    a.mismatched(values("dev-2", 100, T0));
    List<QuoteLog.Values> kept = host("b").mismatches("dev-1");
    assertEquals(QuoteLog.KEPT_MISMATCHES, kept.size());
    assertEquals(T0.plusSeconds(QuoteLog.KEPT_MISMATCHES + 2), kept.get(0).at(), "newest first");
    assertEquals(T0.plusSeconds(3), kept.get(kept.size() - 1).at(), "the oldest ones dropped");
    assertEquals(1, host("b").mismatches("dev-2").size(), "per device");
    assertEquals(Optional.empty(), host("b").lastVerified("dev-1"), "a mismatch is not a verified set by itself");
  }

  @Test
  void pcrValuesSurviveTheStorageExactly() throws Exception {
    newLog();
    TreeMap<Integer, byte[]> pcrs = new TreeMap<>();
    for (int i : new int[] {0, 2, 7, 23}) {
      byte[] v = new byte[32];
      for (int j = 0; j < 32; j++) v[j] = (byte) (i * 31 + j * 7);
      pcrs.put(i, v);
    }
    host("a").verified(new QuoteLog.Values("dev-1", pcrs, T0));
    Map<Integer, byte[]> back = host("b").lastVerified("dev-1").orElseThrow().pcrs();
    assertEquals(pcrs.keySet(), back.keySet());
    for (int i : pcrs.keySet()) assertArrayEquals(pcrs.get(i), back.get(i));
  }
}
