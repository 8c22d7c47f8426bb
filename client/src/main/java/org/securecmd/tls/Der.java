package org.securecmd.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Just enough DER to turn SEC1 and PKCS#1 keys into PKCS#8, which is all the JDK's KeyFactory reads.
 * Reads and writes single TLV elements; it is not a general ASN.1 library.
 */
final class Der {
  static final int SEQUENCE = 0x30;
  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int OID = 0x06;
  static final int NULL = 0x05;
  static final int CONTEXT_0 = 0xa0;

  /** One element: its tag, and where its content lies in {@code data}. */
  record Element(int tag, byte[] data, int start, int end, int next) {
    byte[] content() {
      return Arrays.copyOfRange(data, start, end);
    }

    /** The whole element, tag and length included. */
    byte[] encoded(int from) {
      return Arrays.copyOfRange(data, from, end);
    }
  }

  private Der() {}

  /** Reads the element at {@code offset}. */
  static Element read(byte[] data, int offset) throws GeneralSecurityException {
    try {
      int tag = data[offset] & 0xff;
      int len = data[offset + 1] & 0xff;
      int pos = offset + 2;
      if (len > 0x80) {
        int n = len - 0x80;
        if (n > 3) throw new GeneralSecurityException("DER length too large");
        len = 0;
        for (int i = 0; i < n; i++) len = (len << 8) | (data[pos++] & 0xff);
      } else if (len == 0x80) {
        throw new GeneralSecurityException("indefinite DER length");
      }
      if (pos + len > data.length) throw new GeneralSecurityException("truncated DER");
      return new Element(tag, data, pos, pos + len, pos + len);
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new GeneralSecurityException("truncated DER", e);
    }
  }

  /** Encodes one element. */
  static byte[] encode(int tag, byte[]... contents) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] c : contents) body.writeBytes(c);
    int len = body.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }
}
