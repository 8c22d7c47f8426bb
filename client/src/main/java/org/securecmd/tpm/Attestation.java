package org.securecmd.tpm;

/**
 * What TPM2_Certify or TPM2_Quote returns, raw as the wire carries it: the TPMS_ATTEST the TPM signed
 * (without the TPM2B_ATTEST size) and the TPMT_SIGNATURE over it. {@link #info()} and {@link #signature()}
 * parse them.
 */
public record Attestation(byte[] attest, byte[] signatureBytes) {
  public Attestation {
    attest = attest.clone();
    signatureBytes = signatureBytes.clone();
  }

  @Override
  public byte[] attest() {
    return attest.clone();
  }

  @Override
  public byte[] signatureBytes() {
    return signatureBytes.clone();
  }

  /** The parsed TPMS_ATTEST. */
  public AttestationInfo info() {
    return AttestationInfo.parse(attest);
  }

  /** The parsed TPMT_SIGNATURE. */
  public TpmSignature signature() {
    return TpmSignature.parse(signatureBytes);
  }
}
