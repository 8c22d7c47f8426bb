package org.securecmd.daemon.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.securecmd.daemon.attest.VerifiedQuote;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.config.AttestationSettings;
import org.securecmd.daemon.config.AttestationState;
import org.securecmd.daemon.enroll.StateQuotes;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.tls.TestPki;

/** {@code require_state} against the connection's quote: the state's values, its max_age, a reload's loss. */
class StateGateTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final byte[] GOOD = filled(1);
  private static final byte[] BAD = filled(2);

  private static byte[] filled(int b) {
    byte[] v = new byte[32];
    java.util.Arrays.fill(v, (byte) b);
    return v;
  }

  private static StateGate gate(Instant now, byte[]... allowed) {
    List<Map<Integer, byte[]>> sets = java.util.Arrays.stream(allowed).map(v -> Map.of(0, v, 7, v)).toList();
    AttestationState golden = new AttestationState("golden", List.of(0, 7), sets, Duration.ofMinutes(10));
    AttestationSettings a = new AttestationSettings(Path.of("ek.pem"), List.of(new TestPki("EK").rootCertificate()),
        AttestationSettings.EnrollMode.REGISTERED, Duration.ofSeconds(60), 4, 64, Map.of("golden", golden),
        AttestationSettings.OnMismatch.REFUSE);
    // the gate reads the states and the clock only: no records are needed
    return new StateGate(new StateQuotes(a, null, null, null, StateQuotes.Events.NONE, identity -> {},
        Clock.fixed(now, ZoneOffset.UTC)));
  }

  private static Call quoted(byte[] value, Instant at) {
    TreeMap<Integer, byte[]> pcrs = new TreeMap<>(Map.of(0, value, 2, value, 7, value));
    ConnectionFacts f = ConnectionFacts.NONE.withQuoted(Optional.of(
        new ConnectionFacts.Quoted(new VerifiedQuote(pcrs, new byte[32]), List.of("golden"), at)));
    return new Call(Identity.ANONYMOUS, List.of(), "", new AtomicReference<>(f));
  }

  @Test
  void aMatchingQuoteWithinMaxAgeIsServed() {
    assertEquals(Optional.empty(), gate(T0.plusSeconds(600), GOOD).refusal("golden", quoted(GOOD, T0)));
  }

  @Test
  void noQuoteAnOldQuoteOrOtherValuesGetAttestationRequiredNamingThePcrs() {
    StateGate g = gate(T0.plusSeconds(601), GOOD);
    for (Call c : List.of(Calls.by(Identity.ANONYMOUS), quoted(GOOD, T0), quoted(BAD, T0.plusSeconds(600)))) {
      Answer a = g.refusal("golden", c).orElseThrow();
      assertEquals(Optional.of(ErrorCode.ATTESTATION_REQUIRED), a.error());
      assertEquals("ERR ATTESTATION_REQUIRED golden sha256:0,7", a.toString());
    }
  }

  @Test
  void aReloadThatDropsTheValueSetLosesTheStateTheQuoteWasAcceptedFor() {
    ConnectionFacts f = quoted(GOOD, T0).facts().get();
    assertEquals(Optional.empty(), gate(T0, GOOD, BAD).lost(f));
    assertEquals(Optional.of("golden"), gate(T0, BAD).lost(f));
    assertEquals(Optional.empty(), gate(T0, BAD).lost(ConnectionFacts.NONE), "nothing relied on, nothing lost");
    assertTrue(gate(T0, GOOD).lost(f).isEmpty());
  }
}
