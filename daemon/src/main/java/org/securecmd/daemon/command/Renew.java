package org.securecmd.daemon.command;

import java.security.cert.X509Certificate;
import java.util.List;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.enroll.RenewalResult;
import org.securecmd.daemon.enroll.Renewals;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;

/** {@code RENEW <base64 DER PKCS#10>}: the reply is the issued chain, or the refusal's ERR code. */
final class Renew {
  private final Renewals renewals;

  Renew(Renewals renewals) {
    this.renewals = renewals;
  }

  Reply handle(Identity identity, List<X509Certificate> chain, String argument) {
    if (argument.isEmpty() || argument.indexOf(' ') >= 0) {
      return Reply.error(ErrorCode.BAD_REQUEST, "RENEW takes one argument: a base64 DER PKCS#10 CSR");
    }
    RenewalResult r = renewals.renew(identity, chain, argument);
    if (r.isIssued()) return Reply.ok(r.chain());
    return Reply.error(ErrorCode.valueOf(r.refusal().errorCode()), r.message());
  }
}
