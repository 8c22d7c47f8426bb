package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code [enrollment]}: devices renew their own certificates with {@code RENEW}. Absent means off.
 *
 * @param caCertificate the issuing CA, PEM: its certificate first, then (optionally) the rest of its chain
 * @param caKey the issuing CA's private key, PEM, with the same permission checks as {@code [tls] private_key}
 * @param validity how long an issued certificate is valid
 * @param renewBefore a device may renew only when its certificate expires within this window; longer than
 *     {@code validity} means always
 * @param allow identities that may renew; empty allows nobody
 */
public record EnrollmentSettings(Path caCertificate, Path caKey, Duration validity, Duration renewBefore,
                                 List<String> allow) {
  public EnrollmentSettings {
    allow = List.copyOf(allow);
  }
}
