package org.securecmd.daemon.attest;

/**
 * A TPMS_ATTEST as the TPM signed it (TPM 2.0 Part 2, 10.12.12), for TPM2_Certify and TPM2_Quote. The
 * signed bytes are {@link #raw}; callers check the signature over them before trusting any field.
 *
 * @param type TPM_ST_ATTEST_CERTIFY (8017) or TPM_ST_ATTEST_QUOTE (8018)
 * @param qualifiedSigner the signing key's Qualified Name
 * @param extraData the caller's qualifying data: the server's nonce
 * @param certifiedName certify: the Name of the certified object; quote: null
 * @param certifiedQualifiedName certify: its Qualified Name; quote: null
 * @param pcrSelection quote: the PCRs quoted; certify: null
 * @param pcrDigest quote: the hash of the selected PCR values; certify: null
 */
record TpmsAttest(int type, byte[] qualifiedSigner, byte[] extraData, byte[] certifiedName,
    byte[] certifiedQualifiedName, PcrSelection pcrSelection, byte[] pcrDigest, byte[] raw) {
  static final int MAGIC = 0xff544347;
  static final int CERTIFY = 0x8017;
  static final int QUOTE = 0x8018;

  /** Parses raw TPMS_ATTEST bytes (no size prefix); only the certify and quote forms are accepted. */
  static TpmsAttest parse(byte[] raw) throws AttestationException {
    TpmReader r = new TpmReader("TPMS_ATTEST", raw);
    int magic = r.u32();
    if (magic != MAGIC) {
      throw AttestationException.bad("TPMS_ATTEST magic is " + String.format("%08x", magic) + ", not ff544347");
    }
    int type = r.u16();
    if (type != CERTIFY && type != QUOTE) {
      throw AttestationException.bad(
          "TPMS_ATTEST type " + HashAlg.hex16(type) + " is neither certify (8017) nor quote (8018)");
    }
    byte[] signer = r.tpm2b();
    byte[] extra = r.tpm2b();
    r.bytes(8 + 4 + 4 + 1); // clockInfo: clock, resetCount, restartCount, safe
    r.bytes(8); // firmwareVersion
    TpmsAttest a;
    if (type == CERTIFY) {
      a = new TpmsAttest(type, signer, extra, r.tpm2b(), r.tpm2b(), null, null, raw);
    } else {
      PcrSelection sel = PcrSelection.read(r);
      a = new TpmsAttest(type, signer, extra, null, null, sel, r.tpm2b(), raw);
    }
    r.end();
    return a;
  }
}
