package org.securecmd.daemon.state;

import java.time.Instant;
import java.util.Arrays;

/**
 * A certificate issued by TPM-attested enrollment: which TPM (EK) and which attestation key (AK) proved it,
 * so that later requests over that certificate (a rekey's certify, a quote) are checked against the same AK.
 *
 * @param serial the issued certificate's serial, lower-case hex
 * @param identity the name it was issued to
 * @param akPublic the AK's public area (TPM2B_PUBLIC, with its size prefix)
 */
public record Enrollment(String serial, String identity, String ekSha256, byte[] akPublic, Instant enrolledAt) {
  public Enrollment {
    if (!serial.matches("[0-9a-f]{1,64}")) throw new IllegalArgumentException("not a serial (lower-case hex): " + serial);
    if (!Registration.validName(identity)) throw new IllegalArgumentException("not a device name: " + identity);
    if (!Registration.validEkSha256(ekSha256)) throw new IllegalArgumentException("not an EK identity: " + ekSha256);
    akPublic = akPublic.clone();
  }

  @Override
  public byte[] akPublic() {
    return akPublic.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Enrollment e && serial.equals(e.serial) && identity.equals(e.identity)
        && ekSha256.equals(e.ekSha256) && Arrays.equals(akPublic, e.akPublic) && enrolledAt.equals(e.enrolledAt);
  }

  @Override
  public int hashCode() {
    return serial.hashCode();
  }

  @Override
  public String toString() {
    return "Enrollment[" + serial + " " + identity + " " + ekSha256 + " at " + enrolledAt + "]";
  }
}
