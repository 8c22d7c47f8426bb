package org.securecmd.daemon.command;

import java.util.Optional;
import org.securecmd.daemon.attest.EnrollmentChallenge;
import org.securecmd.daemon.enroll.EnrollmentRefused;
import org.securecmd.daemon.enroll.Enrollments;
import org.securecmd.protocol.ErrorCode;

/**
 * {@code ENROLL <EK certificate DER> <EK TPM2B_PUBLIC> <AK TPM2B_PUBLIC>} → {@code <TPM2B_ID_OBJECT>
 * <TPM2B_ENCRYPTED_SECRET> <nonce>}. The challenge becomes this connection's ({@link ConnectionFacts#enrolling}),
 * replacing an earlier one; {@link EnrollProof} takes it once.
 */
final class Enroll implements CommandHandler {
  private static final Answer FIELDS = Answer.error(ErrorCode.BAD_REQUEST, "ENROLL takes three base64 fields: "
      + "<EK certificate, DER> <EK public area, TPM2B_PUBLIC> <AK public area, TPM2B_PUBLIC>");
  private final Enrollments enrollments;

  Enroll(Enrollments enrollments) {
    this.enrollments = enrollments;
  }

  @Override
  public Answer handle(Call call) {
    Optional<byte[][]> f = Fields.decode(call.arguments(), 3);
    if (f.isEmpty()) return FIELDS;
    EnrollmentChallenge c;
    try {
      c = enrollments.challenge(call.peer(), f.get()[0], f.get()[1], f.get()[2]);
    } catch (EnrollmentRefused e) {
      return Answer.error(e.code(), e.text());
    }
    ConnectionFacts.Enrolling e = new ConnectionFacts.Enrolling(c, enrollments.now());
    call.facts().updateAndGet(now -> now.withEnrolling(e));
    return Answer.ok(Fields.encode(c.credentialBlob(), c.encryptedSecret(), c.nonce()));
  }
}
