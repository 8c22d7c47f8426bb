package org.securecmd.daemon.command;

import org.securecmd.daemon.enroll.Enrollments;

/**
 * {@code NONCE} → 32 fresh bytes, base64. Single use and bound to this connection: it replaces the
 * connection's earlier nonce, and the request that uses it (an attested {@code RENEW}) takes it.
 */
final class Nonce implements CommandHandler {
  private final Enrollments enrollments;

  Nonce(Enrollments enrollments) {
    this.enrollments = enrollments;
  }

  @Override
  public Answer handle(Call call) {
    ConnectionFacts.Nonce n = new ConnectionFacts.Nonce(enrollments.nonce(), enrollments.now());
    call.facts().updateAndGet(now -> now.withNonce(n));
    return Answer.ok(Fields.encode(n.value()));
  }
}
