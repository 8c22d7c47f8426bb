package org.securecmd.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A device key in a PKCS#11 token as a command line names it (securecmd-client and securecmd-pki share
 * these options, their rules and messages): the token, the key's label, and where the PIN is. The PIN
 * is never an option; it is read only when the token is opened, from a file (first line) or an
 * environment variable.
 *
 * <pre>{@code
 * Optional<Pkcs11Options> p = Pkcs11Options.from(Map.of("pkcs11-module", "/usr/lib/softhsm/libsofthsm2.so",
 *     "pkcs11-token", "device", "pin-file", "/etc/securecmd/pin"));
 * CertifiedKey k = p.orElseThrow().open(System.getenv()).certifiedKey(p.orElseThrow().keyLabel());
 * }</pre>
 *
 * @param pinFile the PIN file, or null when the PIN is in {@code pinEnv}
 * @param pinEnv the PIN's environment variable, or null when it is in {@code pinFile}
 */
public record Pkcs11Options(Pkcs11Token.Settings settings, String keyLabel, Path pinFile, String pinEnv) {
  /** The option names, without their leading {@code --}. */
  public static final Set<String> NAMES = Set.of("pkcs11-module", "pkcs11-token", "pkcs11-slot",
      "pkcs11-slot-index", "pkcs11-key", "pin-file", "pin-env");
  /** {@code --pkcs11-key} when unset. */
  public static final String DEFAULT_KEY_LABEL = "device";

  public Pkcs11Options {
    if ((pinFile == null) == (pinEnv == null)) throw new IllegalArgumentException("exactly one of pinFile, pinEnv");
  }

  /**
   * The PKCS#11 options among {@code options} (name without {@code --} → value); empty when none is given.
   *
   * @throws IllegalArgumentException with the message for the user: an option without
   *     {@code --pkcs11-module}, not exactly one PIN source, more than one way to pick the slot, a bad number
   */
  public static Optional<Pkcs11Options> from(Map<String, String> options) {
    String module = options.get("pkcs11-module");
    if (module == null) {
      for (String k : new String[] {"pkcs11-token", "pkcs11-slot", "pkcs11-slot-index", "pkcs11-key", "pin-file",
          "pin-env"}) {
        if (options.containsKey(k)) throw new IllegalArgumentException("--" + k + " needs --pkcs11-module");
      }
      return Optional.empty();
    }
    boolean file = options.containsKey("pin-file");
    if (file == options.containsKey("pin-env")) {
      throw new IllegalArgumentException(file ? "--pin-file and --pin-env exclude each other"
          : "--pkcs11-module needs --pin-file FILE or --pin-env VAR (the PIN is never given on the command line)");
    }
    if ((options.containsKey("pkcs11-token") ? 1 : 0) + (options.containsKey("pkcs11-slot") ? 1 : 0)
        + (options.containsKey("pkcs11-slot-index") ? 1 : 0) > 1) {
      throw new IllegalArgumentException("give one of --pkcs11-token, --pkcs11-slot or --pkcs11-slot-index");
    }
    long slot = number(options, "pkcs11-slot");
    int index = (int) Math.min(Integer.MAX_VALUE, number(options, "pkcs11-slot-index"));
    return Optional.of(new Pkcs11Options(
        new Pkcs11Token.Settings(Path.of(module), options.get("pkcs11-token"), slot, index),
        options.getOrDefault("pkcs11-key", DEFAULT_KEY_LABEL), file ? Path.of(options.get("pin-file")) : null,
        options.get("pin-env")));
  }

  /** The PIN: the first line of the PIN file (surrounding blanks removed), or the environment variable's value. */
  public char[] pin(Map<String, String> environment) throws GeneralSecurityException {
    if (pinFile != null) {
      try {
        return Files.readString(pinFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip().toCharArray();
      } catch (IOException e) {
        throw new GeneralSecurityException("cannot read PIN file " + pinFile + ": " + e);
      }
    }
    String value = environment.get(pinEnv);
    if (value == null) throw new GeneralSecurityException("PIN environment variable " + pinEnv + " is not set");
    return value.toCharArray();
  }

  /** Reads the PIN, opens and logs in to the token, and wipes the PIN. */
  public Pkcs11Token open(Map<String, String> environment) throws GeneralSecurityException {
    char[] pin = pin(environment);
    try {
      return Pkcs11Token.open(settings, pin);
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  private static long number(Map<String, String> options, String name) {
    String text = options.get(name);
    if (text == null) return -1;
    try {
      long n = Long.parseLong(text);
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " needs a whole number >= 0: " + text);
    }
  }
}
