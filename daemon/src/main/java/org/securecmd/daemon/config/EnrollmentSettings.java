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
 */
public record EnrollmentSettings(Path caCertificate, Path caKey, TokenKey tokenKey, Duration validity,
                                 Duration renewBefore, List<String> allow) {
  public EnrollmentSettings {
    allow = List.copyOf(allow);
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
