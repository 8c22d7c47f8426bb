package org.securecmd.daemon.state;

import java.time.Instant;

/**
 * One certificate the daemon issued through {@code RENEW}.
 *
 * @param serial the new certificate's serial, lower-case hex
 * @param identity the device's display name (its CN), copied from the certificate it renewed
 * @param subject the subject DN of both certificates (names never change on renewal)
 * @param notAfter when the new certificate expires
 * @param oldSerial the serial of the certificate it replaces, lower-case hex
 * @param issuedAt when it was issued
 * @param keySha256 SHA-256 of the new certificate's SubjectPublicKeyInfo, hex: tells a renewal with the same
 *     key from a rekey
 * @param rekey whether the device changed its key (the old serial is then revoked once the new one is used)
 */
public record Issuance(String serial, String identity, String subject, Instant notAfter, String oldSerial,
                       Instant issuedAt, String keySha256, boolean rekey) {
  public Issuance {
    for (String f : new String[] {serial, identity, subject, oldSerial, keySha256}) {
      if (f == null || f.isEmpty() || f.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("issuance field empty or with control characters: " + f);
      }
    }
    if (notAfter == null || issuedAt == null) throw new IllegalArgumentException("issuance without a time");
  }
}
