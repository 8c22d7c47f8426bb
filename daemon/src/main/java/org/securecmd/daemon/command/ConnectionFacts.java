package org.securecmd.daemon.command;

import java.time.Instant;
import java.util.Optional;
import org.securecmd.daemon.attest.EnrollmentChallenge;

/**
 * What one connection has proved or been given beyond its certificate, as one immutable value. The connection
 * holds it in one reference that its requests share ({@link Call#facts}); a verb that establishes a fact
 * replaces the value as a whole (compare-and-set), so a handler never sees half of a change and a one-time
 * value is taken exactly once.
 *
 * @param enrolling the challenge of this connection's {@code ENROLL} (the EK, the AK, the credential's secret
 *     and the certify nonce), until {@code ENROLL-PROOF} takes it or a new {@code ENROLL} replaces it
 * @param nonce the last {@code NONCE} given to this connection, until a request takes it
 */
public record ConnectionFacts(Optional<Enrolling> enrolling, Optional<Nonce> nonce) {
  /** A connection that proved nothing beyond its certificate: every connection starts with it. */
  public static final ConnectionFacts NONE = new ConnectionFacts(Optional.empty(), Optional.empty());

  /** An {@code ENROLL} answered at {@code issuedAt}; {@code ENROLL-PROOF} must follow within step_timeout. */
  public record Enrolling(EnrollmentChallenge challenge, Instant issuedAt) {}

  /** A single-use 32-byte nonce given at {@code issuedAt}. */
  public record Nonce(byte[] value, Instant issuedAt) {
    public Nonce {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }
  }

  ConnectionFacts withEnrolling(Enrolling e) {
    return new ConnectionFacts(Optional.of(e), nonce);
  }

  ConnectionFacts withoutEnrolling() {
    return new ConnectionFacts(Optional.empty(), nonce);
  }

  ConnectionFacts withNonce(Nonce n) {
    return new ConnectionFacts(enrolling, Optional.of(n));
  }

  ConnectionFacts withoutNonce() {
    return new ConnectionFacts(enrolling, Optional.empty());
  }
}
