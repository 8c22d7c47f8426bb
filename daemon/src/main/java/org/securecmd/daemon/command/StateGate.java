package org.securecmd.daemon.command;

import java.util.Optional;
import org.securecmd.daemon.attest.PcrState;
import org.securecmd.daemon.config.AttestationState;
import org.securecmd.daemon.enroll.StateQuotes;
import org.securecmd.protocol.ErrorCode;

/**
 * {@code require_state}: a command is served only while the connection holds a quote that satisfies the
 * state in this generation's configuration, verified within the state's {@code max_age}; otherwise
 * {@code ERR ATTESTATION_REQUIRED <state> sha256:<pcrs>}, which tells the device what to quote. And for a
 * reload: which state an attested connection relied on that its quote no longer satisfies.
 */
final class StateGate {
  private final StateQuotes quotes;

  StateGate(StateQuotes quotes) {
    this.quotes = quotes;
  }

  /** Empty when {@code call}'s connection may run a command requiring {@code state}, else the refusal. */
  Optional<Answer> refusal(String state, Call call) {
    AttestationState s = quotes.settings(state).orElseThrow(() -> new IllegalStateException(
        "require_state names a state the loader let through unknown: " + state));
    Optional<ConnectionFacts.Quoted> q = call.facts().get().quoted();
    boolean fresh = q.isPresent() && !quotes.now().isAfter(q.get().verifiedAt().plus(s.maxAge()));
    if (fresh && quotes.state(state).orElseThrow().satisfiedBy(q.get().quote())) return Optional.empty();
    return Optional.of(Answer.error(ErrorCode.ATTESTATION_REQUIRED, state + " " + s.selection()));
  }

  /** A state that {@code facts}' quote satisfied when it was made and no longer does (a reload changed it). */
  Optional<String> lost(ConnectionFacts facts) {
    if (facts.quoted().isEmpty()) return Optional.empty();
    ConnectionFacts.Quoted q = facts.quoted().get();
    for (String name : q.states()) {
      Optional<PcrState> now = quotes.state(name);
      if (now.isEmpty() || !now.get().satisfiedBy(q.quote())) return Optional.of(name);
    }
    return Optional.empty();
  }
}
