package org.securecmd.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import org.securecmd.tls.Pkcs11Token;

/**
 * Where the device key lives when it is in a PKCS#11 token, and where its PIN is. The PIN itself is only
 * read when the token is opened, from a file (first line) or an environment variable.
 */
record Pkcs11Options(Pkcs11Token.Settings settings, String keyLabel, Path pinFile, String pinEnv) {
  static final String DEFAULT_KEY_LABEL = "device";

  /** The PKCS#11 options in {@code s}, or null when no {@code pkcs11-module} is set. */
  static Pkcs11Options from(Map<String, String> s) throws Arguments.UsageException {
    String module = s.get("pkcs11-module");
    boolean pin = s.containsKey("pin-file") || s.containsKey("pin-env");
    if (module == null) {
      for (String k : new String[] {"pkcs11-token", "pkcs11-slot", "pkcs11-slot-index", "pkcs11-key", "pin-file", "pin-env"}) {
        if (s.containsKey(k)) throw new Arguments.UsageException("--" + k + " needs --pkcs11-module");
      }
      return null;
    }
    if (s.containsKey("pin-file") == s.containsKey("pin-env")) {
      throw new Arguments.UsageException(pin ? "--pin-file and --pin-env exclude each other"
          : "--pkcs11-module needs --pin-file FILE or --pin-env VAR (the PIN is never given on the command line)");
    }
    if ((s.containsKey("pkcs11-token") ? 1 : 0) + (s.containsKey("pkcs11-slot") ? 1 : 0)
        + (s.containsKey("pkcs11-slot-index") ? 1 : 0) > 1) {
      throw new Arguments.UsageException("give one of --pkcs11-token, --pkcs11-slot or --pkcs11-slot-index");
    }
    long slot = s.containsKey("pkcs11-slot") ? number(s.get("pkcs11-slot"), "--pkcs11-slot") : -1;
    int index = s.containsKey("pkcs11-slot-index")
        ? (int) number(s.get("pkcs11-slot-index"), "--pkcs11-slot-index") : -1;
    return new Pkcs11Options(new Pkcs11Token.Settings(Path.of(module), s.get("pkcs11-token"), slot, index),
        s.getOrDefault("pkcs11-key", DEFAULT_KEY_LABEL), s.containsKey("pin-file") ? Path.of(s.get("pin-file")) : null,
        s.get("pin-env"));
  }

  /** The PIN: the first line of the PIN file, or the environment variable's value. */
  char[] pin(Map<String, String> environment) throws GeneralSecurityException {
    if (pinFile != null) {
      try {
        String text = Files.readString(pinFile, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip().toCharArray();
      } catch (IOException e) {
        throw new GeneralSecurityException("cannot read PIN file " + pinFile + ": " + e);
      }
    }
    String value = environment.get(pinEnv);
    if (value == null) throw new GeneralSecurityException("PIN environment variable " + pinEnv + " is not set");
    return value.toCharArray();
  }

  private static long number(String text, String option) throws Arguments.UsageException {
    try {
      long n = Long.parseLong(text);
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new Arguments.UsageException(option + " needs a whole number >= 0: " + text);
    }
  }
}
