package org.securecmd.daemon.enroll;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.securecmd.daemon.attest.AttestationException;
import org.securecmd.daemon.attest.AttestationKey;
import org.securecmd.daemon.attest.PcrState;
import org.securecmd.daemon.attest.QuoteVerifier;
import org.securecmd.daemon.attest.VerifiedQuote;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.auth.LogText;
import org.securecmd.daemon.config.AttestationSettings;
import org.securecmd.daemon.config.AttestationState;
import org.securecmd.daemon.state.Enrollment;
import org.securecmd.daemon.state.EnrollmentRegistry;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.IssuanceLog;
import org.securecmd.daemon.state.QuoteLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code QUOTE} of one generation: a TPM2_Quote checked against the AK recorded at enrollment for the
 * certificate the connection presented, then against the {@code [attestation.states.NAME]} tables.
 *
 * <p>The AK is found through the certificate's serial only: the issuance record of that serial must hold
 * the certificate's own key (so a certificate of another CA that happens to carry the serial finds nothing),
 * and the enrollment is the one recorded for that serial or, walking the issuance records' old serials, for
 * the certificate it was renewed from. Never a key the device sends and never its name: a certificate with
 * the enrolled device's name but another key cannot use that device's quotes.
 *
 * <p>A verified quote is recorded ({@link QuoteLog}) for {@code securecmdctl attest show}; one that matches
 * no state is recorded among the device's last mismatches, audited, counted, and with
 * {@code on_mismatch = "deny"} puts the identity on the deny list. Safe for concurrent use.
 */
public final class StateQuotes {
  /** Renewals followed back from a serial to its enrollment at most (far beyond max_renewals' reach). */
  private static final int MAX_RENEWALS_BACK = 1000;
  private static final Logger log = LoggerFactory.getLogger(StateQuotes.class);
  private static final Logger audit = LoggerFactory.getLogger("securecmd.audit");

  /** What a {@code QUOTE} proved. */
  public sealed interface Verdict {
    /** A valid quote satisfying {@code states} (at least one), in configuration order. */
    record Attested(VerifiedQuote quote, List<String> states) implements Verdict {}

    /**
     * A valid quote matching no state: {@code ERR STATE_MISMATCH <valuesSha256>}.
     *
     * @param againstValues whether a state it covered accepts some values: only then does {@code on_mismatch
     *     = "deny"} deny (a state still being learned, {@code allowed = []}, is no evidence against a device)
     */
    record Mismatch(String valuesSha256, boolean againstValues) implements Verdict {}

    /** Invalid evidence: {@code ERR BAD_ATTESTATION <reason>}. */
    record Bad(String label, String reason) implements Verdict {}

    /** The records could not be read (the database is away): {@code ERR UNAVAILABLE}; the device may retry. */
    record Unavailable(String reason) implements Verdict {}
  }

  /** Counts verdicts ({@code securecmd_attestation_total{state, result}}). */
  public interface Events {
    Events NONE = (state, result) -> {};

    /** @param state a state's name, or "-" when the verdict names none (a mismatch, invalid evidence) */
    void quote(String state, String result);
  }

  private final AttestationSettings attestation;
  private final Map<String, PcrState> states;
  private final EnrollmentRegistry registry;
  private final IssuanceLog issued;
  private final QuoteLog quotes;
  private final Events events;
  private final Consumer<String> denyIdentity;
  private final Clock clock;

  /** @param denyIdentity puts an identity on the deny list, on every host, and closes its connections */
  public StateQuotes(AttestationSettings attestation, EnrollmentRegistry registry, IssuanceLog issued, QuoteLog quotes,
                     Events events, Consumer<String> denyIdentity, Clock clock) {
    this.attestation = attestation;
    Map<String, PcrState> s = new LinkedHashMap<>();
    for (AttestationState a : attestation.states().values()) s.put(a.name(), pcrState(a));
    this.states = java.util.Collections.unmodifiableMap(s);
    this.registry = registry;
    this.issued = issued;
    this.quotes = quotes;
    this.events = events;
    this.denyIdentity = denyIdentity;
    this.clock = clock;
  }

  /** {@code a} as attest's policy value. */
  public static PcrState pcrState(AttestationState a) {
    return new PcrState(a.name(), a.pcrs(), a.allowed());
  }

  public Instant now() {
    return clock.instant();
  }

  /** How long a NONCE stays usable for a quote (the enrollment step timeout, as for every nonce). */
  public Duration nonceLife() {
    return attestation.stepTimeout();
  }

  /** The configured state {@code name}, as attest checks it. */
  public Optional<PcrState> state(String name) {
    return Optional.ofNullable(states.get(name));
  }

  /** The configured states' names, in configuration order. */
  public List<String> stateNames() {
    return List.copyOf(states.keySet());
  }

  /** The verified quotes' values ({@code securecmdctl attest}). */
  public QuoteLog records() {
    return quotes;
  }

  /** The configured state {@code name}'s settings (its PCRs, its max_age). */
  public Optional<AttestationState> settings(String name) {
    return Optional.ofNullable(attestation.states().get(name));
  }

  /**
   * Checks a {@code QUOTE} made over {@code nonce} (this connection's, already taken) by the TPM enrolled for
   * {@code leaf}, the certificate the connection presented.
   */
  public Verdict check(Identity identity, X509Certificate leaf, byte[] nonce, byte[] attest, byte[] signature,
                       byte[] values) {
    String who = identity.displayName();
    String serial = leaf.getSerialNumber().toString(16);
    Verdict v = verdict(who, leaf, serial, nonce, attest, signature, values);
    String shown = LogText.token(who);
    switch (v) {
      case Verdict.Attested a -> {
        a.states().forEach(s -> events.quote(s, "attested"));
        audit.info("quote client={} serial={} verdict=attested states={} values_sha256={}", shown, serial,
            String.join(",", a.states()), hex(a.quote().valuesSha256()));
      }
      case Verdict.Mismatch m -> {
        events.quote("-", "state_mismatch");
        boolean deny = attestation.onMismatch() == AttestationSettings.OnMismatch.DENY && m.againstValues();
        audit.info("quote client={} serial={} verdict=state_mismatch values_sha256={} on_mismatch={}", shown, serial,
            m.valuesSha256(), deny ? "deny" : "refuse");
        if (deny) denyIdentity.accept(who);
      }
      case Verdict.Unavailable u -> {
        events.quote("-", "failed");
        audit.info("quote client={} serial={} verdict=unavailable", shown, serial);
      }
      case Verdict.Bad b -> {
        events.quote("-", "bad_attestation");
        audit.info("quote client={} serial={} verdict=bad_attestation reason={} detail=\"{}\"", shown, serial,
            b.label(), LogText.quoted(b.reason()));
      }
    }
    return v;
  }

  private Verdict verdict(String who, X509Certificate leaf, String serial, byte[] nonce, byte[] attest,
                          byte[] signature, byte[] values) {
    Optional<Enrollment> enrolled;
    try {
      enrolled = enrollmentOf(leaf, serial);
    } catch (IOException e) {
      log.error("quote: cannot read the enrollment records: {}", e.toString());
      return new Verdict.Unavailable("the enrollment records cannot be read now; try again");
    }
    if (enrolled.isEmpty()) {
      return new Verdict.Bad("not_enrolled", "no TPM enrollment is recorded for this certificate (serial " + serial
          + ")");
    }
    VerifiedQuote quote;
    try {
      quote = QuoteVerifier.verify(AttestationKey.enrolled(enrolled.get().akPublic()), nonce, attest, signature,
          values, List.of());
    } catch (AttestationException e) {
      return new Verdict.Bad(e.check().label(), e.reason());
    }
    List<PcrState> covered = states.values().stream().filter(s -> quote.pcrs().keySet().containsAll(s.pcrs())).toList();
    if (covered.isEmpty() && !states.isEmpty()) {
      return new Verdict.Bad("pcr_selection", "quote covers PCRs " + quote.pcrs().keySet() + ", fewer than any state"
          + " needs: " + String.join(", ", states.values().stream().map(s -> s.name() + " " + s.pcrs()).toList()));
    }
    List<String> satisfied = PcrState.satisfied(covered, quote);
    // every verified quote's values, matching or not: a reference device's are what attest learn prints
    QuoteLog.Values seen = new QuoteLog.Values(who, quote.pcrs(), now());
    record(() -> quotes.verified(seen));
    if (satisfied.isEmpty()) {
      record(() -> quotes.mismatched(seen));
      boolean againstValues = covered.stream().anyMatch(s -> !s.allowed().isEmpty());
      return new Verdict.Mismatch(hex(quote.valuesSha256()), againstValues);
    }
    return new Verdict.Attested(quote, satisfied);
  }

  /**
   * The enrollment behind {@code leaf}: its own serial's, else the one of the certificate it was renewed from,
   * and so on; empty unless the issuance record of {@code serial} holds {@code leaf}'s key.
   */
  private Optional<Enrollment> enrollmentOf(X509Certificate leaf, String serial) throws IOException {
    Optional<Issuance> own = issued.bySerial(serial);
    if (own.isEmpty() || !own.get().keySha256().equals(Sha256.hex(leaf.getPublicKey().getEncoded()))) {
      return Optional.empty();
    }
    String s = serial;
    List<String> seen = new ArrayList<>();
    for (int i = 0; i <= MAX_RENEWALS_BACK && !seen.contains(s); i++) {
      seen.add(s);
      Optional<Enrollment> e = registry.enrollmentBySerial(s);
      if (e.isPresent()) return e;
      Optional<Issuance> at = issued.bySerial(s);
      if (at.isEmpty() || at.get().oldSerial().equals(Issuance.ENROLLED)) return Optional.empty();
      s = at.get().oldSerial();
    }
    return Optional.empty();
  }

  private interface Write {
    void run() throws IOException;
  }

  /** The records are for operators: a failure to write one is logged, and the verdict stands. */
  private static void record(Write w) {
    try {
      w.run();
    } catch (IOException | RuntimeException e) {
      log.error("quote: cannot record the PCR values: {}", e.toString());
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
