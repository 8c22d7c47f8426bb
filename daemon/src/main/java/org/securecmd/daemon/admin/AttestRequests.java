package org.securecmd.daemon.admin;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.securecmd.daemon.attest.PcrState;
import org.securecmd.daemon.enroll.StateQuotes;
import org.securecmd.daemon.state.QuoteLog;

/**
 * The {@code attest ...} admin requests: what devices' verified TPM quotes held, so an operator can learn the
 * golden values from a reference device. Nothing widens by itself: {@code learn} prints TOML for the operator
 * to paste into {@code allowed}, and a reload makes it count.
 *
 * <pre>
 * attest show DEVICE          the device's last verified PCR values and its last mismatching sets
 * attest learn DEVICE STATE   the last verified values of STATE's PCRs as one line for its allowed list
 * </pre>
 */
public final class AttestRequests {
  private static final String USAGE = "expected \"attest show DEVICE\" or \"attest learn DEVICE STATE\"";
  private final Supplier<Optional<StateQuotes>> current;

  /** @param current the serving generation's quote policy (its states, the records); empty without [attestation] */
  public AttestRequests(Supplier<Optional<StateQuotes>> current) {
    this.current = current;
  }

  /** The reply to {@code attest ARG}. */
  Map<String, Object> answer(String arg) {
    String[] w = arg.isBlank() ? new String[0] : arg.strip().split(" +");
    Optional<StateQuotes> quotes = current.get();
    if (quotes.isEmpty()) {
      return AdminError.NOT_FOUND.reply("[attestation] is not configured: no quotes are checked or recorded");
    }
    try {
      if (w.length == 2 && w[0].equals("show")) return show(quotes.get().records(), w[1]);
      if (w.length == 3 && w[0].equals("learn")) return learn(quotes.get(), w[1], w[2]);
      return AdminError.BAD_REQUEST.reply(USAGE);
    } catch (IOException e) {
      return AdminError.STATE_UNAVAILABLE.reply("the quote records: " + e.getMessage());
    }
  }

  private static Map<String, Object> show(QuoteLog log, String device) throws IOException {
    Optional<QuoteLog.Values> last = log.lastVerified(device);
    if (last.isEmpty()) return AdminError.NOT_FOUND.reply("no verified quote of \"" + device + "\" is recorded");
    Map<String, Object> m = AdminRequests.ok();
    m.put("identity", device);
    m.putAll(values(last.get()));
    List<Object> mismatches = new ArrayList<>();
    for (QuoteLog.Values v : log.mismatches(device)) mismatches.add(values(v));
    m.put("mismatches", mismatches);
    return m;
  }

  private static Map<String, Object> learn(StateQuotes quotes, String device, String state) throws IOException {
    Optional<PcrState> found = quotes.state(state);
    if (found.isEmpty()) {
      return AdminError.NOT_FOUND.reply("there is no [attestation.states." + state + "]; defined: "
          + (quotes.stateNames().isEmpty() ? "none" : String.join(", ", quotes.stateNames())));
    }
    PcrState s = found.get();
    Optional<QuoteLog.Values> last = quotes.records().lastVerified(device);
    if (last.isEmpty()) return AdminError.NOT_FOUND.reply("no verified quote of \"" + device + "\" is recorded");
    List<String> pairs = new ArrayList<>();
    for (int pcr : s.pcrs()) {
      byte[] v = last.get().pcrs().get(pcr);
      if (v == null) {
        return AdminError.NOT_FOUND.reply("the last quote of \"" + device + "\" (" + last.get().at() + ") covers PCRs "
            + last.get().pcrs().keySet() + ", not PCR " + pcr + " of " + state + "; quote sha256:"
            + String.join(",", s.pcrs().stream().map(String::valueOf).toList()));
      }
      pairs.add("\"" + pcr + "\" = \"" + HexFormat.of().formatHex(v) + "\"");
    }
    Map<String, Object> m = AdminRequests.ok();
    m.put("identity", device);
    m.put("state", state);
    m.put("at", last.get().at().toString());
    m.put("lines", List.of("# " + device + ", quoted " + last.get().at() + ": one more entry of [attestation.states."
        + state + "] allowed", "{ " + String.join(", ", pairs) + " },"));
    return m;
  }

  private static Map<String, Object> values(QuoteLog.Values v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", v.at().toString());
    Map<String, Object> pcrs = new LinkedHashMap<>();
    ByteArrayBuilder all = new ByteArrayBuilder();
    v.pcrs().forEach((k, value) -> {
      pcrs.put(String.valueOf(k), HexFormat.of().formatHex(value));
      all.add(value);
    });
    m.put("values_sha256", all.sha256());
    m.put("pcrs", pcrs);
    return m;
  }

  /** The values concatenated in index order, as QUOTE sends them: their SHA-256 is what STATE_MISMATCH names. */
  private static final class ByteArrayBuilder {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    void add(byte[] b) {
      out.writeBytes(b);
    }

    String sha256() {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every JDK", e);
      }
    }
  }
}
