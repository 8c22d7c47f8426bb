package org.securecmd.tpm;

import java.io.ByteArrayOutputStream;

/** Big-endian TPM 2.0 marshalling into a growing buffer: integers, raw bytes and TPM2B (u16 size, then bytes). */
final class TpmWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  TpmWriter u8(int v) {
    out.write(v);
    return this;
  }

  TpmWriter u16(int v) {
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  TpmWriter u32(int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  TpmWriter bytes(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  /** A TPM2B: the u16 size, then {@code b}. */
  TpmWriter tpm2b(byte[] b) {
    if (b.length > 0xffff) throw new IllegalArgumentException("TPM2B too large: " + b.length + " bytes");
    return u16(b.length).bytes(b);
  }

  int size() {
    return out.size();
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  /** {@code body} with its u16 size in front, as a TPM2B wraps a structure (TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE). */
  static byte[] sized(byte[] body) {
    return new TpmWriter().tpm2b(body).toByteArray();
  }
}
