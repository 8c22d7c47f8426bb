package org.securecmd.daemon.attest;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A quote whose signature, nonce and digest held: the SHA-256 PCR values it vouches for.
 *
 * @param pcrs PCR index → 32-byte value, in ascending order (the quote's selection)
 * @param valuesSha256 SHA-256 over the values in that order (the {@code STATE_MISMATCH} reply and the audit
 *     line name it; equal to the quote's pcrDigest when the AK signed with SHA-256)
 */
public record VerifiedQuote(SortedMap<Integer, byte[]> pcrs, byte[] valuesSha256) {
  public VerifiedQuote {
    TreeMap<Integer, byte[]> copy = new TreeMap<>();
    for (Map.Entry<Integer, byte[]> e : pcrs.entrySet()) copy.put(e.getKey(), e.getValue().clone());
    pcrs = java.util.Collections.unmodifiableSortedMap(copy);
    valuesSha256 = valuesSha256.clone();
  }
}
