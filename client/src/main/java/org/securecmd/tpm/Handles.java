package org.securecmd.tpm;

/** Permanent and well-known handles (TPM 2.0 Part 2, TPM_RH; TCG EK Credential Profile; Provisioning Guidance). */
public final class Handles {
  /** The owner (storage) hierarchy. */
  public static final int RH_OWNER = 0x40000001;
  /** No handle. */
  public static final int RH_NULL = 0x40000007;
  /** The password authorization session. */
  public static final int RS_PW = 0x40000009;
  /** The endorsement hierarchy. */
  public static final int RH_ENDORSEMENT = 0x4000000b;
  /** Where the TCG Provisioning Guidance persists the storage root key (SRK). */
  public static final int SRK_PERSISTENT = 0x81000001;
  /** Where this project persists the attestation key, in the owner's range after the SRK. */
  public static final int AK_PERSISTENT = 0x81000002;

  private Handles() {}

  static String hex(int handle) {
    return "0x" + String.format("%08x", handle);
  }
}
