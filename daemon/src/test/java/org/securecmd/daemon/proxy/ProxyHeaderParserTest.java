package org.securecmd.daemon.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.securecmd.daemon.proxy.ProxyHeaders.concat;
import static org.securecmd.daemon.proxy.ProxyHeaders.proxy;
import static org.securecmd.daemon.proxy.ProxyHeaders.raw;
import static org.securecmd.daemon.proxy.ProxyHeaders.tlv;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.securecmd.daemon.proxy.ProxyHeader.Command;
import org.securecmd.daemon.proxy.ProxyHeaderException.Reason;

class ProxyHeaderParserTest {
  private static final InetSocketAddress DEVICE = new InetSocketAddress("192.0.2.7", 40001);
  private static final InetSocketAddress FRONTEND = new InetSocketAddress("198.51.100.1", 5000);
  private static final InetSocketAddress DEVICE6 = new InetSocketAddress("2001:db8::7", 40001);
  private static final InetSocketAddress FRONTEND6 = new InetSocketAddress("2001:db8::1", 5000);
  private static final byte[] CLIENT_HELLO_START = {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01};

  @Test
  void ipv4ProxyHeaderGivesTheDevicesAddressAndPort() throws Exception {
    ProxyHeader h = ProxyHeaderParser.parse(proxy(DEVICE, FRONTEND));
    assertEquals(new ProxyHeader(Command.PROXY, Optional.of(DEVICE), Optional.of(FRONTEND), 28), h);
  }

  @Test
  void ipv6ProxyHeaderGivesTheDevicesAddressAndPort() throws Exception {
    ProxyHeader h = ProxyHeaderParser.parse(proxy(DEVICE6, FRONTEND6));
    assertEquals(new ProxyHeader(Command.PROXY, Optional.of(DEVICE6), Optional.of(FRONTEND6), 52), h);
  }

  @Test
  void highPortsAreUnsigned() throws Exception {
    InetSocketAddress high = new InetSocketAddress("192.0.2.7", 65535);
    assertEquals(Optional.of(high), ProxyHeaderParser.parse(proxy(high, FRONTEND)).source());
  }

  @Test
  void localCommandHasNoAddressesWhateverItsFamilySays() throws Exception {
    assertEquals(new ProxyHeader(Command.LOCAL, Optional.empty(), Optional.empty(), 16),
        ProxyHeaderParser.parse(ProxyHeaders.local()));
    byte[] localWithAddresses = proxy(DEVICE, FRONTEND);
    localWithAddresses[12] = 0x20;
    assertEquals(Command.LOCAL, ProxyHeaderParser.parse(localWithAddresses).command());
    assertEquals(Optional.empty(), ProxyHeaderParser.parse(localWithAddresses).source());
  }

  @Test
  void proxyWithUnspecifiedFamilyHasNoAddresses() throws Exception {
    ProxyHeader h = ProxyHeaderParser.parse(raw(0x21, 0x00, new byte[] {1, 2, 3}));
    assertEquals(new ProxyHeader(Command.PROXY, Optional.empty(), Optional.empty(), 19), h);
  }

  @Test
  void tlvsAreSkippedAndAValidChecksumAccepted() throws Exception {
    byte[] tlvs = concat(tlv(0x01, "h2".getBytes(StandardCharsets.US_ASCII)), tlv(0x05, new byte[16]), tlv(0x04, new byte[0]));
    assertEquals(Optional.of(DEVICE), ProxyHeaderParser.parse(proxy(DEVICE, FRONTEND, tlvs)).source());
    assertEquals(Optional.of(DEVICE), ProxyHeaderParser.parse(ProxyHeaders.withCrc(DEVICE, FRONTEND)).source());
  }

  @Test
  void readsExactlyTheHeaderAndLeavesTheClientHello() throws Exception {
    byte[] header = proxy(DEVICE6, FRONTEND6, tlv(0x04, new byte[7]));
    ByteArrayInputStream in = new ByteArrayInputStream(concat(header, CLIENT_HELLO_START));
    assertEquals(header.length, ProxyHeaderParser.read(in).length());
    assertArrayEquals(CLIENT_HELLO_START, in.readAllBytes());
  }

  static Stream<Arguments> refused() {
    byte[] good = proxy(DEVICE, FRONTEND);
    byte[] badCrc = ProxyHeaders.withCrc(DEVICE, FRONTEND);
    badCrc[badCrc.length - 1] ^= 1;
    byte[] badCrcValue = Arrays.copyOfRange(badCrc, badCrc.length - 4, badCrc.length);
    String crcDeclared = String.format("%02x%02x%02x%02x", badCrcValue[0], badCrcValue[1], badCrcValue[2], badCrcValue[3]);
    return Stream.of(
        row("empty stream", new byte[0], Reason.TRUNCATED, "the connection closed before a PROXY v2 header"),
        row("a TLS ClientHello", CLIENT_HELLO_START, Reason.MISSING,
            "no PROXY v2 header: the connection starts with a TLS record (a balancer without send-proxy-v2?)"),
        row("an HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), Reason.MISSING,
            "no PROXY v2 header: the connection does not start with the v2 signature (first byte 0x47)"),
        row("a v1 header", "PROXY TCP4 192.0.2.7 198.51.100.1 40001 5000\r\n".getBytes(StandardCharsets.US_ASCII),
            Reason.UNSUPPORTED, "a PROXY v1 (text) header; only v2 is supported (HAProxy: send-proxy-v2)"),
        row("signature with one byte wrong", flip(good, 11), Reason.MISSING,
            "no PROXY v2 header: the connection does not start with the v2 signature (first byte 0x0d)"),
        row("signature only", ProxyHeaders.SIGNATURE, Reason.TRUNCATED,
            "the connection closed inside the PROXY v2 header, after 12 of at least 16 bytes"),
        row("one byte", new byte[] {0x0D}, Reason.TRUNCATED,
            "the connection closed inside the PROXY v2 header, after 1 of at least 16 bytes"),
        row("address block cut", Arrays.copyOf(good, 20), Reason.TRUNCATED,
            "the connection closed inside the PROXY v2 header, after 20 of 28 bytes"),
        row("length beyond the bytes sent", raw(0x21, 0x11, 100, new byte[12]), Reason.TRUNCATED,
            "the connection closed inside the PROXY v2 header, after 28 of 116 bytes"),
        row("version 1 in the binary form", raw(0x11, 0x11, new byte[12]), Reason.MALFORMED,
            "malformed PROXY v2 header: version 1; only version 2 is supported"),
        row("version 3", raw(0x31, 0x11, new byte[12]), Reason.MALFORMED,
            "malformed PROXY v2 header: version 3; only version 2 is supported"),
        row("command 2", raw(0x22, 0x11, new byte[12]), Reason.MALFORMED,
            "malformed PROXY v2 header: unknown command 0x2; expected LOCAL (0x0) or PROXY (0x1)"),
        row("command 15", raw(0x2F, 0x11, new byte[12]), Reason.MALFORMED,
            "malformed PROXY v2 header: unknown command 0xf; expected LOCAL (0x0) or PROXY (0x1)"),
        row("family 4", raw(0x21, 0x41, new byte[12]), Reason.MALFORMED,
            "malformed PROXY v2 header: unknown address family 0x4; expected UNSPEC, INET, INET6 or UNIX"),
        row("transport 3", raw(0x21, 0x13, new byte[12]), Reason.MALFORMED,
            "malformed PROXY v2 header: unknown transport 0x3; expected UNSPEC, STREAM or DGRAM"),
        row("length over the limit", raw(0x21, 0x11, 2049, new byte[0]), Reason.MALFORMED,
            "malformed PROXY v2 header: declared length 2049 exceeds the limit of 2048 bytes"),
        row("length 65535", raw(0x21, 0x11, 65535, new byte[0]), Reason.MALFORMED,
            "malformed PROXY v2 header: declared length 65535 exceeds the limit of 2048 bytes"),
        row("IPv4 block too short", raw(0x21, 0x11, new byte[11]), Reason.MALFORMED,
            "malformed PROXY v2 header: address block of 11 bytes is too short for IPv4 (12 bytes)"),
        row("IPv6 block too short", raw(0x21, 0x21, new byte[12]), Reason.MALFORMED,
            "malformed PROXY v2 header: address block of 12 bytes is too short for IPv6 (36 bytes)"),
        row("IPv4 with transport UNSPEC", raw(0x21, 0x10, new byte[12]), Reason.MALFORMED,
            "malformed PROXY v2 header: transport UNSPEC with an IPv4 address; expected STREAM (TCP)"),
        row("IPv6 with transport UNSPEC", raw(0x21, 0x20, new byte[36]), Reason.MALFORMED,
            "malformed PROXY v2 header: transport UNSPEC with an IPv6 address; expected STREAM (TCP)"),
        row("UDP over IPv4", raw(0x21, 0x12, new byte[12]), Reason.UNSUPPORTED,
            "a datagram (UDP) connection; securecmd serves TCP only"),
        row("a UNIX socket address", raw(0x21, 0x31, new byte[216]), Reason.UNSUPPORTED,
            "a UNIX socket address; the balancer must relay TCP connections"),
        row("TLV cut to 2 bytes", proxy(DEVICE, FRONTEND, new byte[] {0x04, 0x00}), Reason.MALFORMED,
            "malformed PROXY v2 header: TLV at offset 28 is cut: 2 byte(s) left, a TLV needs at least 3"),
        row("TLV longer than the header", proxy(DEVICE, FRONTEND, new byte[] {0x04, 0x00, 0x05, 1, 2}),
            Reason.MALFORMED, "malformed PROXY v2 header: TLV 0x04 at offset 28 declares 5 value bytes, only 2 left"),
        row("second TLV cut", proxy(DEVICE, FRONTEND, concat(tlv(0x04, new byte[2]), new byte[] {0x01})),
            Reason.MALFORMED, "malformed PROXY v2 header: TLV at offset 33 is cut: 1 byte(s) left, a TLV needs at least 3"),
        row("CRC32C of 3 bytes", proxy(DEVICE, FRONTEND, tlv(0x03, new byte[3])), Reason.MALFORMED,
            "malformed PROXY v2 header: CRC32C TLV has 3 value bytes, expected 4"),
        row("CRC32C wrong", badCrc, Reason.MALFORMED,
            "malformed PROXY v2 header: CRC32C checksum mismatch (header says " + crcDeclared + ", bytes give " + crcOf(badCrc) + ")"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedWithItsExactMessage(String name, byte[] bytes, Reason reason, String message) {
    ProxyHeaderException e = assertThrows(ProxyHeaderException.class, () -> ProxyHeaderParser.parse(bytes));
    assertEquals(message, e.getMessage());
    assertEquals(reason, e.reason());
  }

  @Test
  void everyPrefixOfAValidHeaderIsTruncatedOrMissingNeverAccepted() {
    byte[] h = ProxyHeaders.withCrc(DEVICE6, FRONTEND6);
    for (int n = 0; n < h.length; n++) {
      byte[] prefix = Arrays.copyOf(h, n);
      ProxyHeaderException e = assertThrows(ProxyHeaderException.class, () -> ProxyHeaderParser.parse(prefix),
          "prefix of " + n);
      assertEquals(Reason.TRUNCATED, e.reason(), "prefix of " + n + ": " + e.getMessage());
    }
  }

  private static Arguments row(String name, byte[] bytes, Reason reason, String message) {
    return Arguments.of(name, bytes, reason, message);
  }

  private static byte[] flip(byte[] b, int i) {
    byte[] c = b.clone();
    c[i] ^= 0x01;
    return c;
  }

  private static String crcOf(byte[] h) {
    byte[] z = h.clone();
    Arrays.fill(z, z.length - 4, z.length, (byte) 0);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(z);
    return String.format("%08x", crc.getValue());
  }
}
