package org.securecmd.daemon.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Builds PROXY v2 headers byte by byte, valid or not, as tests need them. Public: daemon tests send them too. */
public final class ProxyHeaders {
  public static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  private ProxyHeaders() {}

  /** A header with the given byte 13, byte 14 and payload; the length field is the payload's. */
  public static byte[] raw(int versionCommand, int familyTransport, byte[] payload) {
    return raw(versionCommand, familyTransport, payload.length, payload);
  }

  /** As {@link #raw(int, int, byte[])} with a length field that may lie. */
  public static byte[] raw(int versionCommand, int familyTransport, int declaredLength, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(16 + payload.length);
    b.put(SIGNATURE).put((byte) versionCommand).put((byte) familyTransport).putShort((short) declaredLength)
        .put(payload);
    return b.array();
  }

  /** A v2 PROXY header for a TCP connection from {@code source} to {@code destination}, plus {@code tlvs}. */
  public static byte[] proxy(InetSocketAddress source, InetSocketAddress destination, byte[] tlvs) {
    byte[] src = source.getAddress().getAddress();
    byte[] dst = destination.getAddress().getAddress();
    ByteBuffer p = ByteBuffer.allocate(src.length * 2 + 4 + tlvs.length);
    p.put(src).put(dst).putShort((short) source.getPort()).putShort((short) destination.getPort()).put(tlvs);
    return raw(0x21, src.length == 4 ? 0x11 : 0x21, p.array());
  }

  public static byte[] proxy(InetSocketAddress source, InetSocketAddress destination) {
    return proxy(source, destination, new byte[0]);
  }

  /** HAProxy's health-check header: LOCAL, UNSPEC, no payload. */
  public static byte[] local() {
    return raw(0x20, 0x00, new byte[0]);
  }

  public static byte[] tlv(int type, byte[] value) {
    return ByteBuffer.allocate(3 + value.length).put((byte) type).putShort((short) value.length).put(value).array();
  }

  /** A PROXY header with a CRC32C TLV, its checksum computed as the spec says (over the header, value zeroed). */
  public static byte[] withCrc(InetSocketAddress source, InetSocketAddress destination) {
    byte[] h = proxy(source, destination, tlv(0x03, new byte[4]));
    CRC32C crc = new CRC32C();
    crc.update(h);
    ByteBuffer.wrap(h).putInt(h.length - 4, (int) crc.getValue());
    return h;
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
