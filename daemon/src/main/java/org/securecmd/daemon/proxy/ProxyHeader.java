package org.securecmd.daemon.proxy;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One parsed PROXY v2 header.
 *
 * @param command {@link Command#LOCAL} for the balancer's own connections (health checks): no addresses
 * @param source the device's address and port as the balancer saw them; empty for LOCAL and for PROXY with
 *     the UNSPEC family (the spec says: use the real connection's endpoints then)
 * @param destination the address the device connected to (the balancer's frontend); empty likewise
 * @param length the header's total length in bytes, signature included
 */
public record ProxyHeader(Command command, Optional<InetSocketAddress> source,
                          Optional<InetSocketAddress> destination, int length) {
  public ProxyHeader {
    if (source.isPresent() != destination.isPresent()) {
      throw new IllegalArgumentException("source and destination come together");
    }
    if (command == Command.LOCAL && source.isPresent()) throw new IllegalArgumentException("LOCAL has no addresses");
  }

  /** The version-2 commands (the low nibble of byte 13). */
  public enum Command {
    /** Sent by the balancer for its own connections (HAProxy's {@code check-send-proxy} health checks). */
    LOCAL,
    /** A relayed connection: the addresses are the device's. */
    PROXY
  }
}
