package org.securecmd.daemon.command;

import org.securecmd.daemon.enroll.RenewalResult;
import org.securecmd.daemon.enroll.Renewals;
import org.securecmd.protocol.ErrorCode;

/**
 * {@code RENEW <base64 DER PKCS#10>}: the answer is the issued chain, or the refusal's code. Open to every
 * client in the table: {@link Renewals} checks who may renew (its own allow list, the certificate's state).
 */
final class Renew implements CommandHandler {
  private static final Answer ONE_ARGUMENT =
      Answer.error(ErrorCode.BAD_REQUEST, "RENEW takes one argument: a base64 DER PKCS#10 CSR");
  private final Renewals renewals;

  Renew(Renewals renewals) {
    this.renewals = renewals;
  }

  @Override
  public Answer handle(Call call) {
    String argument = call.arguments();
    if (argument.isEmpty() || argument.indexOf(' ') >= 0) return ONE_ARGUMENT;
    RenewalResult r = renewals.renew(call.identity(), call.chain(), argument);
    if (r.isIssued()) return Answer.ok(r.chain());
    return Answer.error(r.refusal().errorCode(), r.message());
  }
}
