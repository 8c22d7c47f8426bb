package org.securecmd.daemon.command;

import org.securecmd.daemon.auth.Identity;

/**
 * {@code WHOAMI} → the identity the server sees, e.g. {@code cn=device-1 dns=a.example uri=spiffe://x serial=1f}.
 * Names come from a certificate the client owns, so characters that would break the line are escaped.
 */
final class WhoAmI implements CommandHandler {
  private static final Answer ANONYMOUS = Answer.ok("anonymous");

  @Override
  public Answer handle(Call call) {
    Identity identity = call.identity();
    if (identity.isAnonymous()) return ANONYMOUS;
    StringBuilder b = new StringBuilder();
    append(b, "cn", identity.commonName());
    identity.dnsNames().forEach(n -> append(b, "dns", n));
    identity.uris().forEach(n -> append(b, "uri", n));
    append(b, "serial", identity.serial());
    return Answer.ok(b.toString());
  }

  private static void append(StringBuilder b, String key, String value) {
    if (value.isEmpty()) return;
    if (!b.isEmpty()) b.append(' ');
    b.append(key).append('=');
    value.codePoints().forEach(c -> {
      if (Character.isISOControl(c) || c == ' ' || c == '%') b.append(String.format("%%%02X", c));
      else b.appendCodePoint(c);
    });
  }
}
