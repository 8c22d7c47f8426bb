package org.securecmd.daemon.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An address block as written in {@code [server] proxy_protocol}: {@code "10.0.0.10/32"}, {@code "fd00::/64"},
 * or a bare address (one host). Literal addresses only: a host name would make the trust of a connection
 * depend on DNS.
 *
 * @param network the first address of the block (host bits zero)
 * @param prefix 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefix) {
  public Cidr {
    int bits = network.getAddress().length * 8;
    if (prefix < 0 || prefix > bits) throw new IllegalArgumentException("prefix out of range: " + prefix);
  }

  /** @throws IllegalArgumentException saying what the form is */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    InetAddress address;
    try {
      // ofLiteral never resolves names; it also refuses "10.1" style shorthand only partly, so check the form
      if (!host.contains(":") && !host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) throw new IllegalArgumentException();
      address = InetAddress.ofLiteral(host);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected an IP address with an optional /prefix, e.g. \"10.0.0.10/32\" "
          + "or \"fd00::/64\"");
    }
    int bits = address.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("the prefix must be 0.." + bits + " for an "
            + (bits == 32 ? "IPv4" : "IPv6") + " address");
      }
      prefix = Integer.parseInt(p);
    }
    byte[] masked = mask(address.getAddress(), prefix);
    if (!Arrays.equals(masked, address.getAddress())) {
      Cidr meant = new Cidr(addressOf(masked), prefix);
      throw new IllegalArgumentException("has bits set after the /" + prefix + " prefix; did you mean \"" + meant + "\"?");
    }
    return new Cidr(address, prefix);
  }

  /** Whether {@code a} is in this block; an IPv4 address is never in an IPv6 block, nor the other way. */
  public boolean contains(InetAddress a) {
    byte[] raw = a.getAddress();
    if (raw.length != network.getAddress().length) return false;
    return Arrays.equals(mask(raw, prefix), network.getAddress());
  }

  private static byte[] mask(byte[] raw, int prefix) {
    byte[] out = raw.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
    }
    return out;
  }

  private static InetAddress addressOf(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }

  @Override
  public String toString() {
    return HostPort.host(network) + "/" + prefix;
  }
}
