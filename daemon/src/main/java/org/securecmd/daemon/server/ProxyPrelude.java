package org.securecmd.daemon.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import org.securecmd.daemon.config.Cidr;
import org.securecmd.daemon.config.HostPort;
import org.securecmd.daemon.proxy.ProxyHeader;
import org.securecmd.daemon.proxy.ProxyHeaderException;
import org.securecmd.daemon.proxy.ProxyHeaderParser;

/**
 * What comes before the TLS ClientHello, read from the raw socket before TLS is layered on it. From a
 * balancer listed in {@code [server] proxy_protocol}: a PROXY v2 header, required; its source address is
 * the device's. From anyone else: nothing; a PROXY v2 signature is refused by name (the likely cause is a
 * balancer missing from the list, which would otherwise show up as a puzzling "not TLS"), and the bytes
 * read to find out are handed to TLS. The caller bounds the time: it closes the socket at its deadline.
 */
final class ProxyPrelude {
  /** Enough for a ClientHello with a few key shares; TLS reads the rest of a longer one from the socket. */
  private static final int FIRST_READ_BYTES = 2048;
  private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  private ProxyPrelude() {}

  /** The outcome: go on with TLS, close quietly (a health check), or refuse. */
  sealed interface Outcome {}

  /** Go on with TLS. @param peer the device's address; @param consumed bytes already read that belong to TLS */
  record Proceed(InetSocketAddress peer, byte[] consumed) implements Outcome {}

  /** The balancer's own connection (v2 LOCAL, HAProxy's check-send-proxy): nothing to serve, nothing to log. */
  record HealthCheck() implements Outcome {}

  /** @param reason a label of {@code securecmd_proxy_header_refused_total}; @param message for the audit line */
  record Refused(String reason, String message) implements Outcome {}

  static Outcome read(Socket raw, List<Cidr> balancers) throws IOException {
    InetSocketAddress peer = (InetSocketAddress) raw.getRemoteSocketAddress();
    InputStream in = raw.getInputStream();
    return listed(raw, balancers) ? fromBalancer(in, peer) : direct(in, peer);
  }

  /** Whether the peer of {@code raw} is a listed balancer. */
  static boolean listed(Socket raw, List<Cidr> balancers) {
    InetAddress a = raw.getInetAddress();
    for (Cidr c : balancers) {
      if (c.contains(a)) return true;
    }
    return false;
  }

  private static Outcome fromBalancer(InputStream in, InetSocketAddress balancer) throws IOException {
    ProxyHeader h;
    try {
      h = ProxyHeaderParser.read(in);
    } catch (ProxyHeaderException e) {
      return new Refused(e.reason().label(), e.getMessage());
    }
    if (h.command() == ProxyHeader.Command.LOCAL) return new HealthCheck();
    return new Proceed(h.source().orElse(balancer), new byte[0]);
  }

  /**
   * One read of whatever has arrived (the ClientHello, usually whole), handed to TLS as already read, so this
   * check costs no read of its own: reading a single byte here first cost an extra read per connection.
   * Only a first byte CR, which no TLS record starts with, makes it read on, to the length of the signature.
   */
  private static Outcome direct(InputStream in, InetSocketAddress peer) throws IOException {
    byte[] start = new byte[FIRST_READ_BYTES];
    int n = in.read(start);
    if (n <= 0) return new Proceed(peer, new byte[0]);
    if (start[0] != V2_SIGNATURE[0]) return new Proceed(peer, Arrays.copyOf(start, n));
    if (n < V2_SIGNATURE.length) n += in.readNBytes(start, n, V2_SIGNATURE.length - n);
    if (n >= V2_SIGNATURE.length && Arrays.equals(start, 0, V2_SIGNATURE.length, V2_SIGNATURE, 0, V2_SIGNATURE.length)) {
      return new Refused("not_listed", "a PROXY v2 header from " + HostPort.host(peer.getAddress())
          + ", not listed in [server] proxy_protocol (refused as not TLS)");
    }
    return new Proceed(peer, Arrays.copyOf(start, n));
  }
}
