package org.securecmd.daemon.attest;

import java.util.Arrays;

/**
 * Reads TPM marshalled structures (big-endian, TPM2B = u16 size then bytes). Every read is bounds-checked
 * and a short buffer is a refusal naming the structure ({@code what}) and the offset.
 */
final class TpmReader {
  private final String what;
  private final byte[] data;
  private int pos;

  TpmReader(String what, byte[] data) {
    this.what = what;
    this.data = data;
  }

  int position() {
    return pos;
  }

  int u8() throws AttestationException {
    need(1);
    return data[pos++] & 0xff;
  }

  int u16() throws AttestationException {
    need(2);
    int v = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  int u32() throws AttestationException {
    need(4);
    int v = ((data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8)
        | (data[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  long u64() throws AttestationException {
    return ((long) u32() << 32) | (u32() & 0xffffffffL);
  }

  byte[] bytes(int n) throws AttestationException {
    need(n);
    byte[] b = Arrays.copyOfRange(data, pos, pos + n);
    pos += n;
    return b;
  }

  /** A TPM2B's content, without its size prefix. */
  byte[] tpm2b() throws AttestationException {
    return bytes(u16());
  }

  /** Refuses trailing bytes: a structure is exactly its marshalled size. */
  void end() throws AttestationException {
    if (pos != data.length) {
      throw AttestationException.bad(what + ": " + (data.length - pos) + " trailing bytes after offset " + pos);
    }
  }

  private void need(int n) throws AttestationException {
    if (n < 0 || data.length - pos < n) {
      throw AttestationException.bad(what + ": truncated at offset " + pos);
    }
  }
}
