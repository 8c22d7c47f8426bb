package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code [enrollment]}: devices renew their own certificates with {@code RENEW}. Absent means off.
 *
 * @param caCertificate the issuing CA, PEM: its certificate first, then (optionally) the rest of its chain
 * @param caKey the issuing CA's private key, PEM, with the same permission checks as {@code [tls] private_key};
 *     null when the key is in a PKCS#11 token
 * @param tokenKey where the key is when it is in a PKCS#11 token, else null
 * @param validity how long an issued certificate is valid
 * @param renewBefore a device may renew only when its certificate expires within this window; longer than
 *     {@code validity} means always
 * @param allow identities that may renew; empty allows nobody
 * @param maxRenewals how many certificates {@code RENEW} issues per identity within {@code renew_before}/2,
 *     whatever the keys (first enrollments do not count)
 */
public record EnrollmentSettings(Path caCertificate, Path caKey, TokenKey tokenKey, Duration validity,
                                 Duration renewBefore, List<String> allow, int maxRenewals) {
  public static final int DEFAULT_MAX_RENEWALS = 3;

  public EnrollmentSettings {
    allow = List.copyOf(allow);
    if (maxRenewals < 1) throw new IllegalArgumentException("maxRenewals < 1: " + maxRenewals);
  }

  /** With the default {@code max_renewals}. */
  public EnrollmentSettings(Path caCertificate, Path caKey, TokenKey tokenKey, Duration validity,
                            Duration renewBefore, List<String> allow) {
    this(caCertificate, caKey, tokenKey, validity, renewBefore, allow, DEFAULT_MAX_RENEWALS);
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
}
