package org.securecmd.tpm;

import java.util.Arrays;

/**
 * Big-endian TPM 2.0 unmarshalling with bounds checks. A structure that ends early or has bytes left over
 * is an {@link IllegalArgumentException} naming what was read and where, never an index exception.
 */
final class TpmReader {
  private final byte[] data;
  private final String what;
  private int pos;
  private final int end;

  TpmReader(byte[] data, String what) {
    this(data, 0, data.length, what);
  }

  TpmReader(byte[] data, int from, int to, String what) {
    this.data = data;
    this.pos = from;
    this.end = to;
    this.what = what;
  }

  int u8() {
    need(1);
    return data[pos++] & 0xff;
  }

  int u16() {
    need(2);
    int v = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  int u32() {
    need(4);
    int v = ((data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8)
        | (data[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  long u64() {
    return ((long) u32() << 32) | (u32() & 0xffffffffL);
  }

  byte[] bytes(int n) {
    need(n);
    byte[] b = Arrays.copyOfRange(data, pos, pos + n);
    pos += n;
    return b;
  }

  /** The content of a TPM2B (without its size). */
  byte[] tpm2b() {
    return bytes(u16());
  }

  /** A whole TPM2B, size prefix included, as the wire carries it. */
  byte[] tpm2bWithSize() {
    int start = pos;
    int n = u16();
    need(n);
    pos += n;
    return Arrays.copyOfRange(data, start, pos);
  }

  /** A reader over the next {@code n} bytes; this reader moves past them. */
  TpmReader sub(int n, String part) {
    need(n);
    TpmReader r = new TpmReader(data, pos, pos + n, part);
    pos += n;
    return r;
  }

  int position() {
    return pos;
  }

  int remaining() {
    return end - pos;
  }

  /** Fails if bytes are left over: a structure must be consumed exactly. */
  void end() {
    if (pos != end) throw new IllegalArgumentException(what + ": " + (end - pos) + " unexpected bytes after offset " + pos);
  }

  private void need(int n) {
    if (n < 0 || end - pos < n) {
      throw new IllegalArgumentException(what + " is truncated at offset " + pos + ": need " + n + " bytes, "
          + (end - pos) + " left");
    }
  }
}
