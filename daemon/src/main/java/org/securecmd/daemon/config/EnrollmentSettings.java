package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code [enrollment]}: devices renew their own certificates with {@code RENEW}. Absent means off.
 *
 * @param caCertificate the issuing CA, PEM: its certificate first, then (optionally) the rest of its chain
 * @param caKey the issuing CA's private key, PEM, with the same permission checks as {@code [tls] private_key};
 *     empty when the key is in a PKCS#11 token
 * @param tokenKey where the key is when it is in a PKCS#11 token; exactly one of this and {@code caKey} is set
 * @param validity how long an issued certificate is valid
 * @param renewBefore a device may renew only when its certificate expires within this window; longer than
 *     {@code validity} means always
 * @param allow identities that may renew; empty allows nobody
 * @param maxRenewals {@code max_renewals}: at most this many certificates per identity per {@code renew_before}/2
 */
public record EnrollmentSettings(Path caCertificate, Optional<Path> caKey, Optional<TokenKey> tokenKey,
                                 Duration validity, Duration renewBefore, List<String> allow, int maxRenewals) {
  public static final int DEFAULT_MAX_RENEWALS = 3;
  private static final List<String> TOKEN_KEYS = List.of("ca_key_pkcs11_token", "ca_key_label", "ca_key_pin_file");

  public EnrollmentSettings {
    allow = List.copyOf(allow);
    if (caKey.isPresent() == tokenKey.isPresent()) {
      throw new IllegalArgumentException("exactly one of a key file and a token key: " + caKey + ", " + tokenKey);
    }
    if (maxRenewals < 1) throw new IllegalArgumentException("maxRenewals < 1: " + maxRenewals);
  }

  /**
   * The issuing CA's key in a PKCS#11 token (an HSM), used through the JDK's SunPKCS11: it never leaves the token.
   *
   * @param module the PKCS#11 library
   * @param tokenLabel the token's label
   * @param keyLabel the key's label (its certificate's CKA_LABEL)
   * @param pinFile a file whose first line is the user PIN
   */
  public record TokenKey(Path module, String tokenLabel, String keyLabel, Path pinFile) {}

  static EnrollmentSettings read(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("ca_certificate", "ca_key", "ca_key_pkcs11_module", "ca_key_pkcs11_token", "ca_key_label",
        "ca_key_pin_file", "validity", "renew_before", "allow", "max_renewals"));
    Optional<Path> certificate = r.optionalPath("ca_certificate", "");
    Optional<Path> key = r.optionalPath("ca_key", "");
    if (certificate.isEmpty()) throw r.missing("ca_certificate", "the issuing CA's certificate file is required");
    Optional<TokenKey> token = tokenKey(r, key);
    Duration validity = r.duration("validity", Duration.ofDays(365), Duration.ofHours(1), Duration.ofDays(3650));
    Duration renewBefore = r.duration("renew_before", Duration.ofDays(60), Duration.ofMinutes(1),
        Duration.ofDays(3650));
    int maxRenewals = (int) r.integer("max_renewals", DEFAULT_MAX_RENEWALS, 1, 1000);
    return new EnrollmentSettings(certificate.get(), key, token, validity, renewBefore, r.patterns("allow"),
        maxRenewals);
  }

  /** The token key when {@code ca_key_pkcs11_module} is set; refuses a key file beside it, or neither. */
  private static Optional<TokenKey> tokenKey(TableReader r, Optional<Path> key) throws ConfigException {
    Optional<Path> module = r.optionalPath("ca_key_pkcs11_module", "");
    if (module.isEmpty()) {
      for (String k : TOKEN_KEYS) {
        if (r.has(k)) throw r.missing(k, "needs ca_key_pkcs11_module");
      }
      if (key.isEmpty()) throw r.missing("ca_key", "the issuing CA's private key file (or ca_key_pkcs11_module) is required");
      return Optional.empty();
    }
    if (key.isPresent()) {
      throw r.error("ca_key", TableReader.quoted(key.get().toString()), "give ca_key or ca_key_pkcs11_module, not both");
    }
    Optional<String> label = r.optionalString("ca_key_pkcs11_token");
    Optional<Path> pin = r.optionalPath("ca_key_pin_file", "");
    if (label.isEmpty()) throw r.missing("ca_key_pkcs11_token", "the token's label is required with ca_key_pkcs11_module");
    if (pin.isEmpty()) throw r.missing("ca_key_pin_file", "a file holding the token's user PIN is required");
    return Optional.of(new TokenKey(module.get(), label.get(), r.string("ca_key_label", "issuing"), pin.get()));
  }
}
