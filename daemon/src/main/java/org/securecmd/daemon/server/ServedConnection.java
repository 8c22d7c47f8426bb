package org.securecmd.daemon.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.securecmd.daemon.audit.AuditEvent;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.LineReader;
import org.securecmd.protocol.ProtocolException;
import org.securecmd.protocol.Reply;
import org.securecmd.protocol.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted connection on its own virtual thread: handshake under a deadline, identity and policy
 * checked (every time, resumed sessions too), then requests one line at a time until the peer closes, goes
 * idle, reaches a limit, or the daemon stops. Whatever happens, the permit and the socket are released.
 */
final class ServedConnection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ServedConnection.class);
  private static final int IO_BUFFER = 4096;
  private static final int LINGER_MILLIS = 500;

  private final long id;
  private final Socket raw;
  /** The peer's address; the device's own when a listed balancer's PROXY v2 header said so. */
  private volatile String remote;
  private final Generation generation;
  private final ServerContext context;
  private final Instant since = Instant.now();
  private final AtomicLong requests = new AtomicLong();
  private volatile Identity identity;
  private volatile SSLSocket tls;
  /**
   * True while a request is being answered, and from accept until the first request is answered: a stop
   * lets a new connection (handshake running, first request on its way) be served once, so a device that
   * connected just before a restart still gets its reply. Idle connections that were served close at once.
   */
  private volatile boolean busy = true;
  private volatile boolean handshaking;
  private volatile boolean stopping;
  private volatile boolean deadlinePassed;
  private long handshakeStartMillis;

  ServedConnection(long id, Socket raw, Generation generation, ServerContext context) {
    this.id = id;
    this.raw = raw;
    this.remote = remoteOf(raw);
    this.generation = generation;
    this.context = context;
  }

  long id() {
    return id;
  }

  @Override
  public void run() {
    Thread.currentThread().setName("conn-" + id + " " + remote);
    try {
      serve();
    } catch (IOException e) {
      log.debug("conn {} closed: {}", id, e.toString());
    } catch (RuntimeException e) {
      log.error("conn {} failed unexpectedly", id, e);
    } finally {
      context.permits().release();
      close();
      context.registry().remove(this);
    }
  }

  private void serve() throws IOException {
    SSLSocket s = handshake();
    if (s == null) return;
    // JSSE has no "resumed" flag; a resumed session keeps the creation time of the one it resumes.
    context.audit().handshakeCompleted(s.getSession().getCreationTime() < handshakeStartMillis);
    Optional<String> refusal = generation.policy().refusal(identity, chain(s.getSession()));
    if (refusal.isPresent()) {
      context.audit().connectionRefused(id, identity.displayName(), remote, refusal.get());
      Reply.error(ErrorCode.FORBIDDEN, refusal.get()).writeTo(s.getOutputStream());
      return;
    }
    context.audit().connectionAccepted(id, identity.displayName(), remote, s.getSession().getProtocol(),
        s.getSession().getCreationTime() < handshakeStartMillis);
    s.setSoTimeout(millis(generation.config().server().idleTimeout()));
    requestLoop(s);
  }

  /** Returns the completed TLS socket, or {@code null} after logging why the handshake failed. */
  private SSLSocket handshake() throws IOException {
    // soTimeout bounds each read; the deadline bounds the whole handshake (PROXY header included) against a
    // slow drip of bytes.
    raw.setSoTimeout(millis(generation.config().server().handshakeTimeout()));
    ScheduledFuture<?> deadline = context.timer().schedule(() -> {
      deadlinePassed = true; // before the close: the reader it wakes must see why (isDone() comes later)
      close();
    }, generation.config().server().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    handshakeStartMillis = System.currentTimeMillis();
    handshaking = true;
    try {
      byte[] consumed = proxyStep();
      if (consumed == null) return null;
      SSLSocket s = consumed.length == 0
          ? (SSLSocket) generation.tls().context().getSocketFactory()
              .createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), false)
          : (SSLSocket) generation.tls().context().getSocketFactory()
              .createSocket(raw, new ByteArrayInputStream(consumed), false);
      s.setUseClientMode(false);
      s.setSSLParameters(generation.tls().newParameters());
      tls = s;
      s.setSoTimeout(millis(generation.config().server().handshakeTimeout()));
      s.startHandshake();
      identity = identityOf(s.getSession());
      return s;
    } catch (SocketTimeoutException e) {
      context.audit().handshakeRefused(id, remote, "handshake timed out");
    } catch (IOException e) {
      String reason = deadline.isDone() ? "handshake timed out" : describe(e);
      context.audit().handshakeRefused(id, remote, reason);
      if (!deadline.isDone()) lingeringClose();
    } finally {
      handshaking = false;
      deadline.cancel(false);
    }
    return null;
  }

  /**
   * The PROXY protocol v2 step ({@link ProxyPrelude}), before TLS and under the handshake deadline: returns
   * the bytes it read that belong to TLS, or {@code null} when the connection ends here (a balancer's health
   * check, closed quietly; or a refused header, audited). A listed balancer's header sets {@link #remote}.
   */
  private byte[] proxyStep() throws IOException {
    ProxyPrelude.Outcome outcome;
    try {
      outcome = ProxyPrelude.read(raw, generation.config().server().proxyProtocol());
    } catch (IOException e) {
      boolean timedOut = e instanceof SocketTimeoutException || deadlinePassed;
      // from anyone else, a silent peer is a handshake that timed out, as it always was
      if (!timedOut || !ProxyPrelude.listed(raw, generation.config().server().proxyProtocol())) throw e;
      outcome = new ProxyPrelude.Refused("timeout", "no complete PROXY v2 header within handshake_timeout ("
          + generation.config().server().handshakeTimeout().toMillis() + " ms)");
    }
    // instanceof, not a pattern switch: its first use bootstraps SwitchBootstraps, which took a cold
    // daemon's first handshake past a 2 s handshake_timeout on a loaded machine (LifecycleTest)
    if (outcome instanceof ProxyPrelude.Proceed p) {
      if (!p.peer().equals(raw.getRemoteSocketAddress())) {
        remote = addressText(p.peer().getAddress(), p.peer().getPort());
        Thread.currentThread().setName("conn-" + id + " " + remote);
      }
      return p.consumed();
    }
    if (outcome instanceof ProxyPrelude.Refused r) {
      context.audit().proxyRefused(id, remote, r.reason(), r.message());
      if (!deadlinePassed) lingeringClose(); // a FIN, not a reset over the unread rest
      return null;
    }
    context.audit().proxyHealthCheck();
    log.debug("conn {}: balancer health check from {}", id, remote);
    return null;
  }

  /**
   * After a refused handshake the peer may still be sending (its Finished, a request); closing with those
   * bytes unread makes the kernel send a reset that can overtake our alert. So: stop writing, read and drop
   * what comes for a short, bounded while, then close. The TLS socket was made with autoClose=false so
   * JSSE's own close on a fatal alert leaves the TCP socket to us.
   */
  private void lingeringClose() {
    try {
      raw.shutdownOutput();
      raw.setSoTimeout(LINGER_MILLIS);
      byte[] sink = new byte[1024];
      int total = 0;
      long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
      while (total < 64 * 1024 && System.nanoTime() < deadline) {
        int n = raw.getInputStream().read(sink);
        if (n < 0) break;
        total += n;
      }
    } catch (IOException ignored) {
      // timeout or reset: either way we are done with this socket
    }
  }

  private void requestLoop(SSLSocket s) throws IOException {
    LineReader in = new LineReader(new BufferedInputStream(s.getInputStream(), IO_BUFFER),
        generation.config().server().maxLineBytes());
    // Unbuffered: every reply is one write and one flush (Reply.writeTo), so JSSE makes one record of it
    // either way; a BufferedOutputStream only added a copy and 4 KiB per open connection.
    OutputStream out = s.getOutputStream();
    int maxRequests = generation.config().server().maxRequestsPerConnection();
    boolean first = true;
    while (first || !stopping) {
      String line;
      try {
        line = in.readLine();
      } catch (SocketTimeoutException e) {
        log.debug("conn {} idle for {}, closing", id, generation.config().server().idleTimeout());
        return;
      } catch (ProtocolException e) {
        long start = System.nanoTime();
        busy = true; // an error reply is written like any other: it may block on a peer that reads nothing
        try {
          e.toReply().writeTo(out);
        } finally {
          busy = false;
        }
        audit("-", e.code().name(), start);
        if (e.code() == ErrorCode.LINE_TOO_LONG) return; // mid-line: the stream cannot be resynchronised
        first = false;
        continue;
      }
      if (line == null) return;
      first = false;
      busy = true;
      long start = System.nanoTime();
      try {
        if (requests.get() >= maxRequests) {
          Reply.error(ErrorCode.BUSY, "request limit of " + maxRequests + " per connection reached; reconnect")
              .writeTo(out);
          audit(verbOf(line), ErrorCode.BUSY.name(), start);
          return;
        }
        requests.incrementAndGet();
        Reply reply = answer(line);
        reply.writeTo(out);
        audit(verbOf(line), reply.isError() ? reply.errorCode() : "OK", start);
      } finally {
        busy = false;
      }
    }
  }

  private Reply answer(String line) {
    try {
      return generation.commands().dispatch(Request.parse(line), identity);
    } catch (ProtocolException e) {
      return e.toReply();
    } catch (RuntimeException e) {
      log.error("conn {}: handler failed", id, e);
      return Reply.error(ErrorCode.INTERNAL, "internal error");
    }
  }

  private void audit(String verb, String result, long startNanos) {
    context.audit().request(new AuditEvent(id, identity.displayName(), remote, verb, result,
        (System.nanoTime() - startNanos) / 1000));
  }

  /**
   * Lets the current request finish; a connection waiting for a request closes now, unless it has not been
   * served yet (see {@link #busy}): then it is served once, within the caller's bound.
   */
  void stopAfterCurrentRequest() {
    stopping = true;
    if (!busy) close();
  }

  /**
   * Closes the connection; safe from any thread and never blocks. JSSE's close first sends close_notify under
   * the socket's write lock, so while this connection's thread may be blocked writing to a peer that reads
   * nothing (mid-request or mid-handshake), the TCP socket is closed first: that unblocks the writer, and
   * the deadline timer, a drain or a revocation can never hang behind such a peer.
   */
  void close() {
    if (busy || handshaking) closeQuietly(raw);
    closeQuietly(tls != null ? tls : raw);
    closeQuietly(raw);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
  }

  ConnectionInfo info() {
    Identity i = identity;
    return new ConnectionInfo(id, i == null ? "-" : i.displayName(), i == null ? List.of() : i.names(),
        i == null ? "" : i.serial(), remote, since, requests.get());
  }

  private static Identity identityOf(SSLSession session) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      return peer.length > 0 && peer[0] instanceof X509Certificate leaf ? Identity.of(leaf) : Identity.ANONYMOUS;
    } catch (SSLPeerUnverifiedException e) {
      return Identity.ANONYMOUS;
    }
  }

  private static List<X509Certificate> chain(SSLSession session) {
    try {
      return Arrays.stream(session.getPeerCertificates()).map(c -> (X509Certificate) c).toList();
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  private static String verbOf(String line) {
    int sp = line.indexOf(' ');
    return sp < 0 ? line : line.substring(0, sp);
  }

  private static String describe(IOException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SSLException && e.getCause() != null && e.getCause().getMessage() != null) {
      m = m + " (" + e.getCause().getMessage() + ")";
    }
    return m;
  }

  private static int millis(java.time.Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }

  private static String remoteOf(Socket s) {
    return s.getInetAddress() == null ? "?:" + s.getPort() : addressText(s.getInetAddress(), s.getPort());
  }

  private static String addressText(java.net.InetAddress a, int port) {
    String host = a.getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
