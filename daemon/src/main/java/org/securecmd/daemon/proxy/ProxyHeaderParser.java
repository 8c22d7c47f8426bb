package org.securecmd.daemon.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.securecmd.daemon.proxy.ProxyHeader.Command;
import org.securecmd.daemon.proxy.ProxyHeaderException.Reason;

/**
 * Reads one PROXY protocol v2 header (HAProxy's {@code proxy-protocol.txt}, section 2.2) and not one byte
 * more, so that the TLS layer finds the ClientHello right after it. Three reads: the first byte alone (a
 * ClientHello from a balancer that sends no header is refused at once, not after a timeout), the rest of
 * the 16 fixed bytes, then the declared length. The caller bounds the time (the daemon closes the socket
 * at {@code handshake_timeout}); this class bounds the size.
 *
 * <p>Accepted: v2 LOCAL (any family: its addresses are discarded, as the spec says); v2 PROXY over TCP
 * (IPv4 or IPv6, STREAM) and PROXY with the UNSPEC family (no addresses: the spec says to use the real
 * connection's). After IPv4/IPv6 addresses, TLVs are checked for framing, and a CRC32C TLV for its checksum;
 * their values are unused.
 */
public final class ProxyHeaderParser {
  /** The v2 signature, {@code \r\n\r\n\0\r\nQUIT\n}. */
  private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  private static final int FIXED = 16;
  /** Addresses (216 bytes at most, UNIX) plus room for the TLVs a balancer adds; a peer cannot make us buffer more. */
  public static final int MAX_PAYLOAD = 2048;
  private static final int TLS_HANDSHAKE_RECORD = 0x16;
  private static final int PP2_TYPE_CRC32C = 0x03;

  private ProxyHeaderParser() {}

  /** Parses a complete header held in {@code bytes} (trailing bytes are ignored: they belong to TLS). */
  public static ProxyHeader parse(byte[] bytes) throws ProxyHeaderException {
    try {
      return read(new java.io.ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new IllegalStateException("a byte array does not fail", e);
    }
  }

  /** Reads exactly one header from {@code in}. */
  public static ProxyHeader read(InputStream in) throws IOException, ProxyHeaderException {
    int first = in.read();
    if (first < 0) throw new ProxyHeaderException(Reason.TRUNCATED, "the connection closed before a PROXY v2 header");
    if (first == TLS_HANDSHAKE_RECORD) {
      throw new ProxyHeaderException(Reason.MISSING, "no PROXY v2 header: the connection starts with a TLS "
          + "record (a balancer without send-proxy-v2?)");
    }
    byte[] fixed = new byte[FIXED];
    fixed[0] = (byte) first;
    readFully(in, fixed, 1, FIXED - 1, FIXED);
    if (startsWithV1(fixed)) {
      throw new ProxyHeaderException(Reason.UNSUPPORTED, "a PROXY v1 (text) header; only v2 is supported "
          + "(HAProxy: send-proxy-v2)");
    }
    if (!Arrays.equals(fixed, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
      throw new ProxyHeaderException(Reason.MISSING, String.format(
          "no PROXY v2 header: the connection does not start with the v2 signature (first byte 0x%02x)", first));
    }
    int version = (fixed[12] & 0xF0) >> 4;
    int command = fixed[12] & 0x0F;
    int family = (fixed[13] & 0xF0) >> 4;
    int transport = fixed[13] & 0x0F;
    int length = ((fixed[14] & 0xFF) << 8) | (fixed[15] & 0xFF);
    if (version != 2) throw malformed("version %d; only version 2 is supported", version);
    if (command > 1) throw malformed("unknown command 0x%x; expected LOCAL (0x0) or PROXY (0x1)", command);
    if (family > 3) throw malformed("unknown address family 0x%x; expected UNSPEC, INET, INET6 or UNIX", family);
    if (transport > 2) throw malformed("unknown transport 0x%x; expected UNSPEC, STREAM or DGRAM", transport);
    if (length > MAX_PAYLOAD) throw malformed("declared length %d exceeds the limit of %d bytes", length, MAX_PAYLOAD);
    byte[] header = Arrays.copyOf(fixed, FIXED + length);
    readFully(in, header, FIXED, length, FIXED + length);
    if (command == 0) return new ProxyHeader(Command.LOCAL, Optional.empty(), Optional.empty(), header.length);
    return proxied(header, family, transport);
  }

  private static ProxyHeader proxied(byte[] h, int family, int transport) throws ProxyHeaderException {
    int addressBytes = switch (family) {
      case 0 -> 0;
      case 1 -> 12;
      case 2 -> 36;
      default -> throw new ProxyHeaderException(Reason.UNSUPPORTED,
          "a UNIX socket address; the balancer must relay TCP connections");
    };
    if (family != 0 && transport == 2) {
      throw new ProxyHeaderException(Reason.UNSUPPORTED, "a datagram (UDP) connection; securecmd serves TCP only");
    }
    if (family != 0 && transport != 1) {
      throw malformed("transport UNSPEC with an %s address; expected STREAM (TCP)", family == 1 ? "IPv4" : "IPv6");
    }
    int payload = h.length - FIXED;
    if (payload < addressBytes) {
      throw malformed("address block of %d bytes is too short for %s (%d bytes)", payload,
          family == 1 ? "IPv4" : "IPv6", addressBytes);
    }
    // UNSPEC: the spec says to ignore the whole block, so its bytes are not checked as TLVs either
    if (family == 0) return new ProxyHeader(Command.PROXY, Optional.empty(), Optional.empty(), h.length);
    checkTlvs(h, FIXED + addressBytes);
    int ip = family == 1 ? 4 : 16;
    ByteBuffer b = ByteBuffer.wrap(h, FIXED, addressBytes);
    byte[] src = new byte[ip];
    byte[] dst = new byte[ip];
    b.get(src).get(dst);
    int srcPort = b.getShort() & 0xFFFF;
    int dstPort = b.getShort() & 0xFFFF;
    return new ProxyHeader(Command.PROXY, Optional.of(new InetSocketAddress(address(src), srcPort)),
        Optional.of(new InetSocketAddress(address(dst), dstPort)), h.length);
  }

  /** TLVs fill the rest exactly; a CRC32C TLV must match the header computed with its value zeroed. */
  private static void checkTlvs(byte[] h, int start) throws ProxyHeaderException {
    int at = start;
    while (at < h.length) {
      int left = h.length - at;
      if (left < 3) throw malformed("TLV at offset %d is cut: %d byte(s) left, a TLV needs at least 3", at, left);
      int type = h[at] & 0xFF;
      int len = ((h[at + 1] & 0xFF) << 8) | (h[at + 2] & 0xFF);
      if (len > left - 3) {
        throw malformed("TLV 0x%02x at offset %d declares %d value bytes, only %d left", type, at, len, left - 3);
      }
      if (type == PP2_TYPE_CRC32C) checkCrc(h, at + 3, len);
      at += 3 + len;
    }
  }

  private static void checkCrc(byte[] h, int value, int len) throws ProxyHeaderException {
    if (len != 4) throw malformed("CRC32C TLV has %d value bytes, expected 4", len);
    long declared = ByteBuffer.wrap(h, value, 4).getInt() & 0xFFFF_FFFFL;
    byte[] zeroed = h.clone();
    Arrays.fill(zeroed, value, value + 4, (byte) 0);
    CRC32C crc = new CRC32C();
    crc.update(zeroed);
    if (crc.getValue() != declared) {
      throw malformed("CRC32C checksum mismatch (header says %08x, bytes give %08x)", declared, crc.getValue());
    }
  }

  private static boolean startsWithV1(byte[] fixed) {
    return fixed[0] == 'P' && fixed[1] == 'R' && fixed[2] == 'O' && fixed[3] == 'X' && fixed[4] == 'Y'
        && fixed[5] == ' ';
  }

  private static void readFully(InputStream in, byte[] into, int off, int len, int total)
      throws IOException, ProxyHeaderException {
    int n = in.readNBytes(into, off, len);
    if (n < len) {
      throw new ProxyHeaderException(Reason.TRUNCATED, String.format(
          "the connection closed inside the PROXY v2 header, after %d of %s%d bytes", off + n,
          total == FIXED ? "at least " : "", total));
    }
  }

  private static InetAddress address(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }

  private static ProxyHeaderException malformed(String format, Object... args) {
    return new ProxyHeaderException(Reason.MALFORMED, "malformed PROXY v2 header: " + String.format(format, args));
  }
}
