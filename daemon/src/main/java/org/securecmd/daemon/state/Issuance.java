package org.securecmd.daemon.state;

import java.time.Instant;

/**
 * One certificate the daemon issued through {@code RENEW}.
 *
 * @param serial the new certificate's serial, lower-case hex
 * @param identity the device's display name (its CN), copied from the certificate it renewed
 * @param subject the subject DN of both certificates (names never change on renewal)
 * @param notAfter when the new certificate expires
 * @param oldSerial the serial of the certificate it replaces (its predecessor), lower-case hex
 * @param issuedAt when it was issued
 * @param keySha256 SHA-256 of the new certificate's SubjectPublicKeyInfo, hex: tells a renewal with the same
 *     key from a rekey
 * @param rekey whether the device changed its key (the old serial is then revoked once the new one is used)
 * @param firstUsedAt when the new certificate was first presented on a connection (recorded by the host
 *     that saw it), null while it never was: a revocation of its predecessor then takes it along
 */
public record Issuance(String serial, String identity, String subject, Instant notAfter, String oldSerial,
                       Instant issuedAt, String keySha256, boolean rekey, Instant firstUsedAt) {
  public Issuance {
    for (String f : new String[] {serial, identity, subject, oldSerial, keySha256}) {
      if (f == null || f.isEmpty() || f.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("issuance field empty or with control characters: " + f);
      }
    }
    if (notAfter == null || issuedAt == null) throw new IllegalArgumentException("issuance without a time");
  }

  /** A certificate not used yet. */
  public Issuance(String serial, String identity, String subject, Instant notAfter, String oldSerial,
                  Instant issuedAt, String keySha256, boolean rekey) {
    this(serial, identity, subject, notAfter, oldSerial, issuedAt, keySha256, rekey, null);
  }

  public Issuance withFirstUse(Instant at) {
    return new Issuance(serial, identity, subject, notAfter, oldSerial, issuedAt, keySha256, rekey, at);
  }

  public boolean used() {
    return firstUsedAt != null;
  }

  /**
   * The old serial of a certificate issued by TPM-attested enrollment ({@code ENROLL-PROOF}): it replaces no
   * certificate, and it is not a renewal.
   */
  public static final String ENROLLED = "-";

  /**
   * Whether it counts toward the renewal limits ({@code [enrollment] max_renewals} and the same-key spacing):
   * every {@code RENEW}, never an enrollment ({@link #ENROLLED}). The backends' rules
   * ({@link IssuanceLog.Rules}) go through this method (the file) or its SQL twin (the table).
   */
  public boolean countsAsRenewal() {
    return !oldSerial.equals(ENROLLED);
  }
}
