package org.securecmd.pki.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Set;
import org.securecmd.tls.Pkcs11Token;

/** The token options shared with {@code securecmd-client}: module, slot, key label, and where the PIN is. */
final class TokenOptions {
  static final Set<String> NAMES = Set.of("pkcs11-module", "pkcs11-token", "pkcs11-slot", "pkcs11-slot-index", "pkcs11-key",
      "pin-file", "pin-env");

  private TokenOptions() {}

  static String keyLabel(Options o) {
    return o.optional("pkcs11-key", "device");
  }

  /** Opens and logs in to the token the options name. */
  static Pkcs11Token open(Options o) throws Options.UsageException, GeneralSecurityException {
    Path module = Path.of(o.required("pkcs11-module"));
    if ((o.has("pkcs11-token") ? 1 : 0) + (o.has("pkcs11-slot") ? 1 : 0) + (o.has("pkcs11-slot-index") ? 1 : 0) > 1) {
      throw new Options.UsageException("give one of --pkcs11-token, --pkcs11-slot or --pkcs11-slot-index");
    }
    if (o.has("pin-file") == o.has("pin-env")) {
      throw new Options.UsageException("give exactly one of --pin-file FILE or --pin-env VAR");
    }
    long slot = number(o, "pkcs11-slot");
    int index = (int) number(o, "pkcs11-slot-index");
    char[] pin = pin(o);
    try {
      return Pkcs11Token.open(new Pkcs11Token.Settings(module, o.optional("pkcs11-token", null), slot, index), pin);
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  private static char[] pin(Options o) throws GeneralSecurityException {
    if (o.has("pin-file")) {
      Path f = Path.of(o.optional("pin-file", null));
      try {
        return Files.readString(f, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip().toCharArray();
      } catch (IOException e) {
        throw new GeneralSecurityException("cannot read PIN file " + f + ": " + e);
      }
    }
    String var = o.optional("pin-env", null);
    String v = System.getenv(var);
    if (v == null) throw new GeneralSecurityException("PIN environment variable " + var + " is not set");
    return v.toCharArray();
  }

  private static long number(Options o, String name) throws Options.UsageException {
    String s = o.optional(name, null);
    if (s == null) return -1;
    try {
      long n = Long.parseLong(s);
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new Options.UsageException("--" + name + " needs a whole number >= 0: " + s);
    }
  }
}
