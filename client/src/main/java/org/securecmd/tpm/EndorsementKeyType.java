package org.securecmd.tpm;

/**
 * The endorsement keys a TPM may carry a manufacturer's certificate for: where the certificate lies in NV
 * (TCG EK Credential Profile), where the key is usually persisted (Provisioning Guidance; swtpm_setup puts
 * its P-384 EK at 0x81010016), and the template that re-creates it when it is not persisted.
 */
public enum EndorsementKeyType {
  RSA_2048(0x01c00002, 0x81010001),
  ECC_P256(0x01c0000a, 0x81010002),
  ECC_P384(0x01c00016, 0x81010016);

  private final int certificateIndex;
  private final int persistentHandle;

  EndorsementKeyType(int certificateIndex, int persistentHandle) {
    this.certificateIndex = certificateIndex;
    this.persistentHandle = persistentHandle;
  }

  /** The NV index of the EK certificate (DER). */
  public int certificateIndex() {
    return certificateIndex;
  }

  /** The persistent handle the EK is usually found at. */
  public int persistentHandle() {
    return persistentHandle;
  }

  /** The template that TPM2_CreatePrimary in the endorsement hierarchy turns into this EK. */
  public KeyTemplate template() {
    switch (this) {
      case RSA_2048: return KeyTemplate.endorsementRsa2048();
      case ECC_P256: return KeyTemplate.endorsementEccP256();
      default: return KeyTemplate.endorsementEccP384();
    }
  }
}
