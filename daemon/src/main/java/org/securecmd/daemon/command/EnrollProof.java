package org.securecmd.daemon.command;

import java.util.Optional;
import org.securecmd.daemon.enroll.EnrollmentRefused;
import org.securecmd.daemon.enroll.Enrollments;
import org.securecmd.protocol.ErrorCode;

/**
 * {@code ENROLL-PROOF <activated secret> <CSR DER> <key TPM2B_PUBLIC> <TPMS_ATTEST> <TPMT_SIGNATURE>} → the
 * issued chain, as {@code RENEW} answers. Takes this connection's challenge first, whatever follows, so a
 * secret or a certify is never tried twice.
 */
final class EnrollProof implements CommandHandler {
  private static final Answer FIELDS = Answer.error(ErrorCode.BAD_REQUEST, "ENROLL-PROOF takes five base64 fields: "
      + "<activated secret> <CSR, DER> <TLS key public area, TPM2B_PUBLIC> <TPMS_ATTEST> <TPMT_SIGNATURE>");
  private final Enrollments enrollments;

  EnrollProof(Enrollments enrollments) {
    this.enrollments = enrollments;
  }

  @Override
  public Answer handle(Call call) {
    Optional<byte[][]> f = Fields.decode(call.arguments(), 5);
    if (f.isEmpty()) return FIELDS;
    ConnectionFacts now = call.facts().get();
    if (now.enrolling().isEmpty() || !call.facts().compareAndSet(now, now.withoutEnrolling())) {
      EnrollmentRefused r = enrollments.noChallenge(call.peer());
      return Answer.error(r.code(), r.text());
    }
    ConnectionFacts.Enrolling e = now.enrolling().get();
    byte[][] v = f.get();
    try {
      return Answer.ok(enrollments.prove(call.peer(), e.challenge(), e.issuedAt(), v[0], v[1], v[2], v[3], v[4]));
    } catch (EnrollmentRefused r) {
      return Answer.error(r.code(), r.text());
    }
  }
}
