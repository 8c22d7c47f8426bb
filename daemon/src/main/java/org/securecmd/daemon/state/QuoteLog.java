package org.securecmd.daemon.state;

import java.io.IOException;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The PCR values of devices' verified TPM quotes ({@code QUOTE}), for operators: each device's last verified
 * values ({@code securecmdctl attest show}, {@code attest learn}) and its last {@value #KEPT_MISMATCHES}
 * value sets that matched no state (what changed on a device that is now refused). The state directory's
 * {@code quotes} file by default ({@link QuoteFile}), the shared database with that backend
 * ({@link QuoteTable}). Only these few sets per device are kept: the log never grows with the requests.
 * Implementations are thread-safe.
 */
public interface QuoteLog {
  int KEPT_MISMATCHES = 5;

  /** One quote's values: PCR index (SHA-256 bank) to 32 bytes, ascending. */
  record Values(String identity, SortedMap<Integer, byte[]> pcrs, Instant at) {
    public Values {
      if (identity.isEmpty() || identity.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("not an identity: " + identity);
      }
      TreeMap<Integer, byte[]> copy = new TreeMap<>();
      pcrs.forEach((k, v) -> copy.put(k, v.clone()));
      pcrs = Collections.unmodifiableSortedMap(copy);
    }

    /** {@code 0=<hex>,2=<hex>}: how the file and the table store them. */
    String pcrsText() {
      StringBuilder b = new StringBuilder();
      for (Map.Entry<Integer, byte[]> e : pcrs.entrySet()) {
        if (!b.isEmpty()) b.append(',');
        b.append(e.getKey()).append('=').append(HexFormat.of().formatHex(e.getValue()));
      }
      return b.toString();
    }

    static SortedMap<Integer, byte[]> parsePcrs(String text) {
      TreeMap<Integer, byte[]> out = new TreeMap<>();
      if (text.isEmpty()) return out;
      for (String pair : text.split(",")) {
        int eq = pair.indexOf('=');
        byte[] v = HexFormat.of().parseHex(pair.substring(eq + 1));
        if (eq < 1 || v.length != 32) throw new IllegalArgumentException("not a PCR value: " + pair);
        out.put(Integer.parseInt(pair.substring(0, eq)), v);
      }
      return out;
    }
  }

  /** A quote of {@code identity} verified: its values replace the device's last verified ones. */
  void verified(Values v) throws IOException;

  /** A verified quote of {@code v.identity()} matched no state: kept among its last mismatches. */
  void mismatched(Values v) throws IOException;

  Optional<Values> lastVerified(String identity) throws IOException;

  /** The device's last mismatching value sets, newest first, at most {@value #KEPT_MISMATCHES}. */
  List<Values> mismatches(String identity) throws IOException;
}
