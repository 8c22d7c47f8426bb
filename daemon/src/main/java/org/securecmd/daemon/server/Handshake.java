package org.securecmd.daemon.server;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.tls.TlsMaterial;

/**
 * The TLS handshake of one accepted socket, bounded by {@code handshake_timeout} as a whole (a read timeout
 * alone would let a slow drip of bytes go on for ever). A failure is audited with its reason; the caller
 * then closes the socket. Whatever has to happen on the raw socket before TLS goes in front of {@link #run}.
 */
final class Handshake {
  /** A completed handshake: the TLS socket over the raw one, and the peer as its certificate names it. */
  record Completed(SSLSocket socket, Identity identity, List<X509Certificate> chain, boolean resumed) {}

  private final long id;
  private final String remote;
  private final ServerContext context;
  private final Duration timeout;

  Handshake(long id, String remote, ServerContext context, Duration timeout) {
    this.id = id;
    this.remote = remote;
    this.context = context;
    this.timeout = timeout;
  }

  /**
   * Runs the handshake on {@code raw}; returns empty after auditing why it failed. The TLS socket is made
   * with autoClose=false, so JSSE's own close on a fatal alert leaves the TCP socket to us (and to a
   * lingering close, so the alert is not overtaken by a reset).
   */
  Optional<Completed> run(Socket raw, TlsMaterial tls) throws IOException {
    SSLSocket s = (SSLSocket) tls.context().getSocketFactory()
        .createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), false);
    s.setUseClientMode(false);
    s.setSSLParameters(tls.newParameters());
    s.setSoTimeout(Limits.millis(timeout));
    ScheduledFuture<?> deadline = context.timer().schedule(() -> closeQuietly(raw), timeout.toMillis(),
        TimeUnit.MILLISECONDS);
    long startMillis = System.currentTimeMillis();
    try {
      s.startHandshake();
      SSLSession session = s.getSession();
      // JSSE has no "resumed" flag; a resumed session keeps the creation time of the one it resumes.
      boolean resumed = session.getCreationTime() < startMillis;
      context.audit().handshakeCompleted(resumed);
      List<X509Certificate> chain = chain(session);
      Identity identity = chain.isEmpty() ? Identity.ANONYMOUS : Identity.of(chain.get(0));
      return Optional.of(new Completed(s, identity, chain, resumed));
    } catch (SocketTimeoutException e) {
      context.audit().handshakeRefused(id, remote, "handshake timed out");
    } catch (IOException e) {
      String reason = deadline.isDone() ? "handshake timed out" : describe(e);
      context.audit().handshakeRefused(id, remote, reason);
      if (!deadline.isDone()) LingeringClose.drain(raw);
    } finally {
      deadline.cancel(false);
    }
    return Optional.empty();
  }

  private static List<X509Certificate> chain(SSLSession session) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      if (peer.length == 0 || !(peer[0] instanceof X509Certificate)) return List.of();
      return Arrays.stream(peer).map(c -> (X509Certificate) c).toList();
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
