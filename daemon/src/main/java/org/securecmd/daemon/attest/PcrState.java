package org.securecmd.daemon.attest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A known-good state ({@code [attestation.states.NAME]}): the SHA-256 PCRs it looks at and the accepted
 * value sets. A quote satisfies it when it covers every PCR of {@link #pcrs} and its values for them equal
 * one of the {@link #allowed} sets. An empty {@code allowed} list accepts nothing; a state without PCRs is
 * refused when built, since it would accept every device.
 *
 * @param allowed each set maps every index of {@code pcrs} to a 32-byte value
 */
public record PcrState(String name, List<Integer> pcrs, List<Map<Integer, byte[]>> allowed) {
  public PcrState {
    pcrs = pcrs.stream().sorted().distinct().toList();
    if (pcrs.isEmpty()) throw new IllegalArgumentException("state " + name + ": no PCRs (it would accept any device)");
    for (int pcr : pcrs) {
      if (pcr < 0 || pcr > 23) throw new IllegalArgumentException("state " + name + ": PCR " + pcr + " is not 0-23");
    }
    List<Map<Integer, byte[]>> copy = new ArrayList<>();
    for (Map<Integer, byte[]> set : allowed) {
      if (!set.keySet().equals(new java.util.HashSet<>(pcrs))) {
        throw new IllegalArgumentException("state " + name + ": a value set names PCRs "
            + set.keySet().stream().sorted().toList() + ", not exactly " + pcrs);
      }
      Map<Integer, byte[]> values = new java.util.HashMap<>();
      for (Map.Entry<Integer, byte[]> e : set.entrySet()) {
        if (e.getValue().length != 32) {
          throw new IllegalArgumentException("state " + name + ": PCR " + e.getKey() + " value is "
              + e.getValue().length + " bytes, not 32 (SHA-256)");
        }
        values.put(e.getKey(), e.getValue().clone());
      }
      copy.add(Map.copyOf(values));
    }
    allowed = List.copyOf(copy);
  }

  public boolean satisfiedBy(VerifiedQuote quote) {
    if (!quote.pcrs().keySet().containsAll(pcrs)) return false;
    for (Map<Integer, byte[]> set : allowed) {
      boolean all = true;
      for (int pcr : pcrs) all &= Arrays.equals(set.get(pcr), quote.pcrs().get(pcr));
      if (all) return true;
    }
    return false;
  }

  /** The names of the states the quote satisfies, in the given order (the {@code ATTESTED} reply). */
  public static List<String> satisfied(List<PcrState> states, VerifiedQuote quote) {
    return states.stream().filter(s -> s.satisfiedBy(quote)).map(PcrState::name).toList();
  }
}
