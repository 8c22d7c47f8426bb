package org.securecmd.daemon.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Addresses as people read them, in logs, audit lines, {@code securecmdctl connections} and error messages:
 * IPv6 in the RFC 5952 form ({@code [::1]:44824}, not the JDK's {@code [0:0:0:0:0:0:0:1]:44824}), IPv4
 * as dotted quads. The one formatter, so that an address reads the same wherever it is shown and can be
 * grepped for across them.
 *
 * <pre>{@code
 * HostPort.of(socket.getInetAddress(), socket.getPort())   // "[2001:db8::1]:5000", "192.0.2.1:5000"
 * }</pre>
 *
 * <p>RFC 5952: lower-case hex without leading zeros; the longest run of two or more zero groups (the first
 * of equal runs) becomes {@code ::}; an IPv4-mapped address keeps its dotted tail ({@code ::ffff:192.0.2.1};
 * the JDK usually hands those over as IPv4 already). A zone is kept after {@code %} (interface name, else
 * number), inside the brackets.
 */
public final class HostPort {
  private HostPort() {}

  /** {@code host:port}, the host in brackets when it is IPv6. */
  public static String of(InetAddress address, int port) {
    String host = host(address);
    return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
  }

  /** As {@link #of(InetAddress, int)}; an unresolved address shows its host name as given. */
  public static String of(InetSocketAddress address) {
    if (address.getAddress() != null) return of(address.getAddress(), address.getPort());
    String host = address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * {@code host:port} for a host as configured: an IPv6 literal is shown in the RFC 5952 form, anything
   * else (a name, an IPv4 address) as written.
   */
  public static String of(String host, int port) {
    if (!host.contains(":")) return host + ":" + port;
    try {
      return of(InetAddress.ofLiteral(host), port);
    } catch (IllegalArgumentException notALiteral) {
      return "[" + host + "]:" + port;
    }
  }

  /** The address alone, without brackets. */
  public static String host(InetAddress address) {
    if (!(address instanceof Inet6Address v6)) return address.getHostAddress();
    byte[] b = v6.getAddress();
    return (mapped(b) ? "::ffff:" + (b[12] & 255) + "." + (b[13] & 255) + "." + (b[14] & 255) + "." + (b[15] & 255)
        : compressed(b)) + zone(v6);
  }

  private static boolean mapped(byte[] b) {
    for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  private static String compressed(byte[] b) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) groups[i] = (b[2 * i] & 255) << 8 | (b[2 * i + 1] & 255);
    int runStart = -1;
    int runLength = 1; // a single zero group is not shortened (RFC 5952 4.2.2)
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && groups[j] == 0) j++;
      if (j - i > runLength) {
        runStart = i;
        runLength = j - i;
      }
      i = Math.max(i, j);
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == runStart) {
        s.append("::");
        i += runLength - 1;
        continue;
      }
      if (i > 0 && i != runStart + runLength) s.append(':');
      s.append(Integer.toHexString(groups[i]));
    }
    return s.toString();
  }

  private static String zone(Inet6Address a) {
    if (a.getScopedInterface() != null) return "%" + a.getScopedInterface().getName();
    return a.getScopeId() != 0 ? "%" + a.getScopeId() : "";
  }
}
