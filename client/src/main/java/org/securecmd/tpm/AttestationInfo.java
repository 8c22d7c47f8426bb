package org.securecmd.tpm;

import java.util.Optional;

/**
 * A parsed TPMS_ATTEST of a certification ({@code 0x8017}) or a quote ({@code 0x8018}): magic {@code
 * ff544347}, type, qualifiedSigner, extraData (the caller's nonce), clock info, firmware version, then the
 * type's own part. The fields of the other type are empty.
 */
public record AttestationInfo(int type, byte[] qualifiedSigner, byte[] extraData, long clock, int resetCount,
    int restartCount, boolean safe, long firmwareVersion, byte[] certifiedName, byte[] certifiedQualifiedName,
    Optional<PcrSelection> pcrSelection, byte[] pcrDigest) {
  public static final int MAGIC = 0xff544347;
  public static final int TYPE_CERTIFY = 0x8017;
  public static final int TYPE_QUOTE = 0x8018;

  /**
   * Parses a TPMS_ATTEST (no size prefix).
   *
   * @throws IllegalArgumentException if the magic is wrong, the type is neither certify nor quote, or the
   *     structure is truncated or has trailing bytes
   */
  public static AttestationInfo parse(byte[] attest) {
    TpmReader r = new TpmReader(attest, "TPMS_ATTEST");
    int magic = r.u32();
    if (magic != MAGIC) throw new IllegalArgumentException("TPMS_ATTEST magic 0x" + Integer.toHexString(magic));
    int type = r.u16();
    byte[] signer = r.tpm2b();
    byte[] extra = r.tpm2b();
    long clock = r.u64();
    int resets = r.u32();
    int restarts = r.u32();
    boolean safe = r.u8() != 0;
    long firmware = r.u64();
    byte[] none = new byte[0];
    AttestationInfo info;
    if (type == TYPE_CERTIFY) {
      byte[] name = r.tpm2b();
      byte[] qualified = r.tpm2b();
      info = new AttestationInfo(type, signer, extra, clock, resets, restarts, safe, firmware, name, qualified,
          Optional.empty(), none);
    } else if (type == TYPE_QUOTE) {
      PcrSelection selection = PcrSelection.read(r);
      byte[] digest = r.tpm2b();
      info = new AttestationInfo(type, signer, extra, clock, resets, restarts, safe, firmware, none, none,
          Optional.of(selection), digest);
    } else {
      throw new IllegalArgumentException("TPMS_ATTEST type 0x" + Integer.toHexString(type)
          + ": expected certify (0x8017) or quote (0x8018)");
    }
    r.end();
    return info;
  }
}
