package org.securecmd.daemon.command;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.securecmd.daemon.enroll.AttestedRenewal;
import org.securecmd.daemon.enroll.RenewalResult;
import org.securecmd.protocol.ErrorCode;

/**
 * {@code RENEW <base64 DER PKCS#10>}, or for a TPM-attested certificate's new key {@code RENEW <CSR>
 * <TPM2B_PUBLIC> <TPMS_ATTEST> <TPMT_SIGNATURE>} over this connection's {@code NONCE}: the answer is the issued
 * chain, or the refusal's code. Open to every client in the table: the renewal policy checks who may renew
 * (its own allow list, the certificate's state).
 */
final class Renew implements CommandHandler {
  private static final Answer FIELDS = Answer.error(ErrorCode.BAD_REQUEST, "RENEW takes one argument, a base64 DER "
      + "PKCS#10 CSR (for a TPM-attested key's rekey: the CSR, TPM2B_PUBLIC, TPMS_ATTEST and TPMT_SIGNATURE)");
  private final AttestedRenewal renewals;
  /** How long a NONCE stays usable; empty without [attestation] (no NONCE verb then). */
  private final Optional<Duration> nonceLife;
  private final Supplier<Instant> clock;

  Renew(AttestedRenewal renewals, Optional<Duration> nonceLife, Supplier<Instant> clock) {
    this.renewals = renewals;
    this.nonceLife = nonceLife;
    this.clock = clock;
  }

  @Override
  public Answer handle(Call call) {
    String argument = call.arguments();
    List<String> fields = List.of(argument.split(" ", -1));
    if (argument.isEmpty() || (fields.size() != 1 && fields.size() != 4) || fields.contains("")) return FIELDS;
    RenewalResult r = renewals.renew(call.identity(), call.chain(), fields, () -> takeNonce(call));
    if (r.isIssued()) return Answer.ok(r.chain());
    return Answer.error(r.refusal().errorCode(), r.message());
  }

  /** This connection's nonce, taken once; empty when there is none or it is older than step_timeout. */
  private Optional<byte[]> takeNonce(Call call) {
    ConnectionFacts now = call.facts().get();
    if (now.nonce().isEmpty() || !call.facts().compareAndSet(now, now.withoutNonce())) return Optional.empty();
    ConnectionFacts.Nonce n = now.nonce().get();
    if (nonceLife.isEmpty() || clock.get().isAfter(n.issuedAt().plus(nonceLife.get()))) return Optional.empty();
    return Optional.of(n.value());
  }
}
