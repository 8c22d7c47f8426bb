package org.securecmd.daemon.command;

import java.util.Optional;
import org.securecmd.daemon.enroll.Enrollments;
import org.securecmd.daemon.enroll.StateQuotes;
import org.securecmd.protocol.ErrorCode;

/**
 * {@code QUOTE <TPMS_ATTEST> <TPMT_SIGNATURE> <PCR values>} (three base64 fields, the values concatenated in
 * the quote's selection order) over this connection's {@code NONCE}: {@code ATTESTED <state> [<state> ...]},
 * {@code ERR STATE_MISMATCH <sha256 of the values>}, {@code ERR BAD_ATTESTATION <reason>}, or
 * {@code ERR UNAVAILABLE} when the enrollment records cannot be read. The connection
 * then holds the quote ({@link ConnectionFacts#quoted}) for its {@code require_state} commands; a quote
 * matching no state drops the one it held (the device's state changed), invalid evidence leaves it.
 */
final class Quote implements CommandHandler {
  private static final Answer FIELDS = Answer.error(ErrorCode.BAD_REQUEST, "QUOTE takes three base64 fields: "
      + "<TPMS_ATTEST> <TPMT_SIGNATURE> <PCR values, concatenated in the quote's selection order>");
  private static final Answer NOT_ATTESTED = Answer.error(ErrorCode.BAD_ATTESTATION,
      "only a certificate of a TPM-attested key can quote (enroll first)");
  private static final Answer NO_NONCE = Answer.error(ErrorCode.BAD_ATTESTATION,
      "no unused NONCE on this connection (each is used once, within step_timeout)");
  private final StateQuotes quotes;

  Quote(StateQuotes quotes) {
    this.quotes = quotes;
  }

  @Override
  public Answer handle(Call call) {
    Optional<byte[][]> fields = Fields.decode(call.arguments(), 3);
    if (fields.isEmpty()) return FIELDS;
    if (call.chain().isEmpty() || !Enrollments.isTpmAttested(call.chain().get(0))) return NOT_ATTESTED;
    Optional<byte[]> nonce = takeNonce(call);
    if (nonce.isEmpty()) return NO_NONCE;
    byte[][] f = fields.get();
    StateQuotes.Verdict v = quotes.check(call.identity(), call.chain().get(0), nonce.get(), f[0], f[1], f[2]);
    return switch (v) {
      case StateQuotes.Verdict.Attested a -> {
        ConnectionFacts.Quoted q = new ConnectionFacts.Quoted(a.quote(), a.states(), quotes.now());
        call.facts().updateAndGet(now -> now.withQuoted(Optional.of(q)));
        yield Answer.ok("ATTESTED " + String.join(" ", a.states()));
      }
      case StateQuotes.Verdict.Mismatch m -> {
        call.facts().updateAndGet(now -> now.withQuoted(Optional.empty()));
        yield Answer.error(ErrorCode.STATE_MISMATCH, m.valuesSha256());
      }
      case StateQuotes.Verdict.Bad b -> Answer.error(ErrorCode.BAD_ATTESTATION, b.reason());
      case StateQuotes.Verdict.Unavailable u -> Answer.error(ErrorCode.UNAVAILABLE, u.reason());
    };
  }

  /** This connection's nonce, taken once; empty when there is none or it is older than step_timeout. */
  private Optional<byte[]> takeNonce(Call call) {
    ConnectionFacts now = call.facts().get();
    if (now.nonce().isEmpty() || !call.facts().compareAndSet(now, now.withoutNonce())) return Optional.empty();
    ConnectionFacts.Nonce n = now.nonce().get();
    if (quotes.now().isAfter(n.issuedAt().plus(quotes.nonceLife()))) return Optional.empty();
    return Optional.of(n.value());
  }
}
