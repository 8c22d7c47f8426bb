package org.securecmd.daemon.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code [attestation.states.NAME]}: a known-good measured state of a device, as PCR values of the TPM's
 * SHA-256 bank. A command with {@code require_state = "NAME"} is served only on a connection whose verified
 * {@code QUOTE} gave one of {@link #allowed}'s value sets for every PCR of {@link #pcrs}, for {@link #maxAge}
 * after the quote. An empty {@code allowed} accepts nothing (a state to learn values for first).
 *
 * <pre>{@code
 * [attestation.states.golden]
 * pcrs = [0, 2, 7]
 * allowed = [ { "0" = "3d45...", "2" = "9a1c...", "7" = "b7e2..." } ]
 * max_age = "10m"
 * }</pre>
 *
 * @param name as written; sent in {@code ATTESTED} and {@code ERR ATTESTATION_REQUIRED}
 * @param pcrs PCR indices 0-23, ascending, each once
 * @param allowed the accepted value sets; each maps every index of {@code pcrs} to 32 bytes
 * @param maxAge how long a verified quote counts on its connection
 */
public record AttestationState(String name, List<Integer> pcrs, List<Map<Integer, byte[]>> allowed,
                               Duration maxAge) {
  /** The name travels on the wire as one field. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

  public AttestationState {
    pcrs = List.copyOf(pcrs);
    List<Map<Integer, byte[]>> copy = new ArrayList<>();
    for (Map<Integer, byte[]> set : allowed) {
      Map<Integer, byte[]> values = new TreeMap<>();
      set.forEach((k, v) -> values.put(k, v.clone()));
      copy.add(java.util.Collections.unmodifiableMap(values));
    }
    allowed = List.copyOf(copy);
  }

  /** {@code ERR ATTESTATION_REQUIRED}'s second field: {@code sha256:0,2,7}. */
  public String selection() {
    return "sha256:" + String.join(",", pcrs.stream().map(String::valueOf).toList());
  }

  /** Every {@code [attestation.states.NAME]} of {@code attestation}, in file order; empty when there are none. */
  static Map<String, AttestationState> readAll(TableReader attestation) throws ConfigException {
    Optional<TableReader> states = attestation.table("states");
    if (states.isEmpty()) return Map.of();
    Map<String, AttestationState> out = new LinkedHashMap<>();
    for (String name : states.get().keys()) {
      if (!NAME.matcher(name).matches()) {
        throw states.get().error(name, "{...}", "a state name is 1-64 of A-Z, a-z, 0-9, _ and - (ATTESTED sends it)");
      }
      out.put(name, read(states.get().table(name).orElseThrow(), name));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private static AttestationState read(TableReader r, String name) throws ConfigException {
    r.onlyKeys(List.of("pcrs", "allowed", "max_age"));
    if (!r.has("pcrs")) {
      throw r.missing("pcrs", "the SHA-256 PCR indices this state looks at are required, e.g. [0, 2, 7]");
    }
    List<Long> written = r.integers("pcrs", List.of());
    String shown = written.toString().replace(" ", "");
    if (written.isEmpty()) {
      throw r.error("pcrs", shown, "needs at least one PCR (a state without PCRs would accept any device)");
    }
    TreeSet<Integer> pcrs = new TreeSet<>();
    for (long p : written) {
      if (p < 0 || p > 23) throw r.error("pcrs", shown, "PCR " + p + " is not 0-23");
      if (!pcrs.add((int) p)) throw r.error("pcrs", shown, "PCR " + p + " is listed twice");
    }
    Duration maxAge = r.duration("max_age", DEFAULT_MAX_AGE, Duration.ofSeconds(1), Duration.ofDays(7));
    List<Map<Integer, byte[]>> allowed = new ArrayList<>();
    List<TableReader> sets = r.tables("allowed", List.of());
    for (int i = 0; i < sets.size(); i++) allowed.add(valueSet(r, sets.get(i), i + 1, pcrs));
    return new AttestationState(name, List.copyOf(pcrs), allowed, maxAge);
  }

  /** One {@code allowed} entry: {@code "index" = "64 hex digits"} for exactly the state's PCRs. */
  private static Map<Integer, byte[]> valueSet(TableReader state, TableReader set, int number, TreeSet<Integer> pcrs)
      throws ConfigException {
    Map<Integer, byte[]> values = new TreeMap<>();
    for (String key : set.keys()) {
      Optional<String> hex = set.optionalString(key);
      String shown = TableReader.quoted(hex.orElseThrow());
      Integer index = key.matches("0|[1-9][0-9]?") ? Integer.valueOf(key) : null;
      if (index == null || !pcrs.contains(index)) {
        throw set.error(key, shown, "is not one of this state's pcrs " + pcrs + " (keys are PCR indices)");
      }
      if (!hex.get().matches("[0-9a-fA-F]{64}")) {
        throw set.error(key, shown, "expected 64 hex digits (a SHA-256 PCR value)");
      }
      values.put(index, HexFormat.of().parseHex(hex.get()));
    }
    for (int pcr : pcrs) {
      if (!values.containsKey(pcr)) {
        throw state.error("allowed", "[...]", "value set " + number + " has no value for PCR " + pcr
            + "; each value set gives every PCR of pcrs " + pcrs);
      }
    }
    return values;
  }
}
