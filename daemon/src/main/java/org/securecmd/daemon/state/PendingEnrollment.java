package org.securecmd.daemon.state;

import java.time.Instant;
import java.util.Arrays;

/**
 * A TPM whose whole enrollment proof held (in {@code enroll = "approve"} mode) and which now waits for an
 * operator to approve it under a name, or to reject it. One per EK: a TPM that asks again refreshes its
 * request under the same id.
 *
 * @param id {@link Registration#pendingId} of the EK identity
 * @param address where it asked from (the device's own address, through a PROXY header)
 * @param akPublic the AK's public area as the device sent it (TPM2B_PUBLIC, with its size prefix)
 */
public record PendingEnrollment(String id, String ekSha256, String address, Instant requestedAt, byte[] akPublic) {
  public PendingEnrollment {
    if (!Registration.validEkSha256(ekSha256)) throw new IllegalArgumentException("not an EK identity: " + ekSha256);
    if (!id.equals(Registration.pendingId(ekSha256))) throw new IllegalArgumentException("id " + id + " is not the EK's");
    if (address.length() > 200 || address.chars().anyMatch(c -> Character.isISOControl(c) || c == '\t')) {
      throw new IllegalArgumentException("not an address: " + address);
    }
    akPublic = akPublic.clone();
  }

  /** A request of the TPM with {@code ekSha256}, under its id. */
  public PendingEnrollment(String ekSha256, String address, Instant requestedAt, byte[] akPublic) {
    this(Registration.pendingId(ekSha256), ekSha256, address, requestedAt, akPublic);
  }

  @Override
  public byte[] akPublic() {
    return akPublic.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PendingEnrollment p && id.equals(p.id) && ekSha256.equals(p.ekSha256)
        && address.equals(p.address) && requestedAt.equals(p.requestedAt) && Arrays.equals(akPublic, p.akPublic);
  }

  @Override
  public int hashCode() {
    return ekSha256.hashCode() ^ requestedAt.hashCode();
  }

  @Override
  public String toString() {
    return "PendingEnrollment[" + id + " " + ekSha256 + " from " + address + " at " + requestedAt + "]";
  }
}
