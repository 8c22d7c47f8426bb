package org.securecmd.tpm;

/**
 * A key the TPM holds now: its handle and its public area. A transient handle (0x80xxxxxx) is the
 * caller's to flush ({@link Tpm#flushContext}); a persistent one (0x81xxxxxx) stays.
 */
public record LoadedKey(int handle, TpmPublic publicArea) {
  /** Whether the handle is transient, so the caller flushes it when done. */
  public boolean isTransient() {
    return (handle >>> 24) == 0x80;
  }
}
