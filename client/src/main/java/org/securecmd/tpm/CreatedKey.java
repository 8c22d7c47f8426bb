package org.securecmd.tpm;

/**
 * A key TPM2_Create made: its private area, wrapped by the parent (TPM2B_PRIVATE, size prefix included,
 * like tpm2-tools' {@code .priv} files), and its public area. Load it with {@link Tpm#load}.
 */
public record CreatedKey(byte[] privateArea, TpmPublic publicArea) {
  public CreatedKey {
    privateArea = privateArea.clone();
  }

  @Override
  public byte[] privateArea() {
    return privateArea.clone();
  }
}
