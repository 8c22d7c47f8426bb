package org.securecmd.daemon.command;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.securecmd.daemon.auth.Identity;

/**
 * One request as a handler sees it: who asks, over which connection, with what.
 *
 * @param identity the peer as its certificate names it ({@link Identity#ANONYMOUS} without one)
 * @param chain the peer's certificate chain, leaf first; empty without a certificate
 * @param arguments the request line after the verb and its space, as sent; empty when there are none
 * @param facts the connection's {@link ConnectionFacts}, shared by all its requests: read with {@code get()};
 *     a verb that establishes a fact replaces the value as a whole
 * @param peer the peer's address as the audit shows it (the device's own behind a listed balancer); "-" when
 *     unknown
 */
public record Call(Identity identity, List<X509Certificate> chain, String arguments,
                   AtomicReference<ConnectionFacts> facts, String peer) {
  /** A call whose peer address does not matter. */
  public Call(Identity identity, List<X509Certificate> chain, String arguments,
              AtomicReference<ConnectionFacts> facts) {
    this(identity, chain, arguments, facts, "-");
  }

  public Call {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(identity, "identity");
    chain = List.copyOf(chain); // no copy when it already is one (the connection's is)
    Objects.requireNonNull(arguments, "arguments");
    Objects.requireNonNull(facts, "facts");
  }
}
