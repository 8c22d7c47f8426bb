package org.securecmd.daemon.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLEngine;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.config.Cidr;
import org.securecmd.daemon.config.HostPort;
import org.securecmd.daemon.tls.TlsMaterial;

/**
 * The TLS handshake of one accepted socket, bounded by {@code handshake_timeout} as a whole (a read timeout
 * alone would let a slow drip of bytes go on for ever): the registry's sweep closes the socket of a handshake
 * past it ({@link Deadlines#handshakeExpired}), so no timer task and no timed socket read is made per
 * connection (both showed in a profile of full and resumed handshakes: bench/profile.sh). A failure is
 * audited with its reason; the caller then closes the socket. Before TLS, on the raw socket and under the same deadline, the PROXY v2 step
 * ({@link ProxyPrelude}): from a listed balancer it gives the device's own address.
 */
final class Handshake {
  /** A completed handshake: the TLS socket over the raw one, and the peer as its certificate names it. */
  record Completed(TlsChannel tls, Identity identity, List<X509Certificate> chain, boolean resumed,
                   String remote) {}

  private final long id;
  /** The peer's address; the device's own once a listed balancer's PROXY v2 header said so. */
  private String remote;
  private final ServerContext context;
  private final Deadlines deadlines;

  /** The device's address whose handshake slot this connection holds (behind a balancer only). */
  private InetAddress deviceSlot;

  Handshake(long id, String remote, ServerContext context, Deadlines deadlines) {
    this.id = id;
    this.remote = remote;
    this.context = context;
    this.deadlines = deadlines;
  }

  /**
   * Runs the handshake on {@code raw} (an accepted channel's socket); returns empty after auditing why it
   * failed. A failed handshake's alert is sent and the TCP socket left to a lingering close, so the alert is
   * not overtaken by a reset.
   */
  Optional<Completed> run(Socket raw, TlsMaterial tls, List<Cidr> balancers) throws IOException {
    // the deadline (the sweep, from accept) bounds the PROXY header and the handshake together
    long startMillis = System.currentTimeMillis();
    try {
      byte[] consumed = proxyStep(raw, balancers);
      if (consumed == null) return Optional.empty();
      SSLEngine engine = tls.context().createSSLEngine(raw.getInetAddress().getHostAddress(), raw.getPort());
      engine.setUseClientMode(false);
      engine.setSSLParameters(tls.newParameters());
      TlsChannel s = new TlsChannel(raw, engine, context.wrapBuffers(), consumed);
      s.handshake();
      if (!deadlines.handshakeEnded()) throw new SocketTimeoutException("handshake timed out");
      SSLSession session = s.session();
      // JSSE has no "resumed" flag; a resumed session keeps the creation time of the one it resumes.
      boolean resumed = session.getCreationTime() < startMillis;
      context.audit().handshakeCompleted(resumed);
      List<X509Certificate> chain = chain(session);
      Identity identity = chain.isEmpty() ? Identity.ANONYMOUS : Identity.of(chain.get(0));
      return Optional.of(new Completed(s, identity, chain, resumed, remote));
    } catch (IOException e) {
      boolean inTime = deadlines.handshakeEnded();
      context.audit().handshakeRefused(id, remote, inTime ? describe(e) : "handshake timed out");
      if (inTime) LingeringClose.drain(raw);
    } finally {
      if (deviceSlot != null) context.handshakes().release(deviceSlot);
    }
    return Optional.empty();
  }

  /**
   * The PROXY protocol v2 step ({@link ProxyPrelude}), on the raw socket before TLS: returns the bytes it
   * read that belong to TLS, or {@code null} when the connection ends here (a balancer's health check,
   * closed quietly; or a refused header, audited). A listed balancer's header sets {@link #remote}.
   */
  private byte[] proxyStep(Socket raw, List<Cidr> balancers) throws IOException {
    ProxyPrelude.Outcome outcome;
    try {
      outcome = ProxyPrelude.read(raw, balancers);
    } catch (IOException e) {
      boolean timedOut = e instanceof SocketTimeoutException || deadlines.handshakeCut();
      // from anyone else, a silent peer is a handshake that timed out, as it always was
      if (!timedOut || !ProxyPrelude.listed(raw, balancers)) throw e;
      outcome = new ProxyPrelude.Refused("timeout", "no complete PROXY v2 header within handshake_timeout ("
          + deadlines.handshakeTimeout().toMillis() + " ms)");
    }
    // instanceof, not a pattern switch: its first use bootstraps SwitchBootstraps, which took a cold
    // daemon's first handshake past a 2 s handshake_timeout on a loaded machine (LifecycleTest)
    if (outcome instanceof ProxyPrelude.Proceed p) {
      if (!p.peer().equals(raw.getRemoteSocketAddress())) {
        remote = HostPort.of(p.peer().getAddress(), p.peer().getPort());
        Thread.currentThread().setName("conn-" + id + " " + remote);
      }
      return ProxyPrelude.listed(raw, balancers) && !takeDeviceSlot(raw, p.peer().getAddress()) ? null : p.consumed();
    }
    if (outcome instanceof ProxyPrelude.Refused r) {
      context.audit().proxyRefused(id, remote, r.reason(), r.message());
      if (!deadlines.handshakeCut()) LingeringClose.drain(raw); // a FIN, not a reset over the unread rest
      return null;
    }
    context.audit().proxyHealthCheck();
    return null;
  }

  /**
   * Behind a listed balancer the accept-time check was skipped (all devices share its address): the device's
   * address from the header takes the {@code max_handshakes_per_address} slot here, given back when
   * {@link #run} ends. Refused as at accept time: counted {@code address_limit}, closed with a reset.
   */
  private boolean takeDeviceSlot(Socket raw, InetAddress device) {
    int max = context.current().get().config().server().maxHandshakesPerAddress();
    if (context.handshakes().tryAcquire(device, max)) {
      deviceSlot = device;
      return true;
    }
    context.audit().connectionRefused(id, "-", remote, "address_limit",
        "too many handshakes in progress from this address (max_handshakes_per_address " + max + ")");
    try {
      raw.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // closed below either way
    }
    closeQuietly(raw);
    return false;
  }

  private static List<X509Certificate> chain(SSLSession session) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      if (peer.length == 0 || !(peer[0] instanceof X509Certificate)) return List.of();
      // List.of: each request's Call takes it as it is (List.copyOf would copy Stream.toList's list every time)
      X509Certificate[] chain = new X509Certificate[peer.length];
      for (int i = 0; i < peer.length; i++) chain[i] = (X509Certificate) peer[i];
      return List.of(chain);
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SSLException && e.getCause() != null && e.getCause().getMessage() != null) {
      m = m + " (" + e.getCause().getMessage() + ")";
    }
    return m;
  }

  static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
  }
}
