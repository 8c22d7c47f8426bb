package org.securecmd.daemon.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
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
 * One accepted connection on its own virtual thread: the {@link Handshake}, identity and policy checked
 * (every time, resumed sessions too), then requests one line at a time until the peer closes, goes idle,
 * reaches a limit, or the daemon stops. Whatever happens, the permit and the socket are released.
 */
final class ServedConnection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ServedConnection.class);
  private static final int IO_BUFFER = 4096;

  private final long id;
  private final Socket raw;
  private final String remote;
  private final Generation generation;
  private final Limits limits;
  private final ServerContext context;
  private final Instant since = Instant.now();
  private final AtomicLong requests = new AtomicLong();
  private volatile Identity identity;
  private volatile SSLSocket tls;
  private ConnectionState state = ConnectionState.HANDSHAKING; // guarded by this

  ServedConnection(long id, Socket raw, Generation generation, ServerContext context) {
    this.id = id;
    this.raw = raw;
    this.remote = remoteOf(raw);
    this.generation = generation;
    this.limits = Limits.of(generation.config().server());
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
    Optional<Handshake.Completed> done =
        new Handshake(id, remote, context, limits.handshakeTimeout()).run(raw, generation.tls());
    if (done.isEmpty()) return;
    Handshake.Completed h = done.get();
    tls = h.socket();
    identity = h.identity();
    if (!move(ConnectionState.HANDSHAKING, ConnectionState.FIRST)) return;
    Optional<String> refusal = generation.policy().refusal(identity, h.chain());
    if (refusal.isPresent()) {
      context.audit().connectionRefused(id, identity.displayName(), remote, refusal.get());
      Reply.error(ErrorCode.FORBIDDEN, refusal.get()).writeTo(tls.getOutputStream());
      return;
    }
    context.audit().connectionAccepted(id, identity.displayName(), remote, h.socket().getSession().getProtocol(),
        h.resumed());
    tls.setSoTimeout(limits.idleTimeoutMillis());
    requestLoop(tls);
  }

  private void requestLoop(SSLSocket s) throws IOException {
    LineReader in = new LineReader(new BufferedInputStream(s.getInputStream(), IO_BUFFER), limits.maxLineBytes());
    // Unbuffered: every reply is one write and one flush (Reply.writeTo), so JSSE makes one record of it
    // either way; a BufferedOutputStream only added a copy and 4 KiB per open connection.
    OutputStream out = s.getOutputStream();
    while (true) {
      String line;
      try {
        line = in.readLine();
      } catch (SocketTimeoutException e) {
        log.debug("conn {} idle for {}, closing", id, limits.idleTimeout());
        return;
      } catch (ProtocolException e) {
        if (!begin()) return;
        long start = System.nanoTime();
        e.toReply().writeTo(out); // written like any other reply: it may block on a peer that reads nothing
        audit("-", e.code().name(), start);
        // LINE_TOO_LONG leaves the stream mid-line: it cannot be resynchronised, so the connection ends.
        if (!finish() || e.code() == ErrorCode.LINE_TOO_LONG) return;
        continue;
      }
      if (line == null || !begin()) return;
      long start = System.nanoTime();
      int maxRequests = limits.maxRequestsPerConnection();
      if (requests.get() >= maxRequests) {
        Reply.error(ErrorCode.BUSY, "request limit of " + maxRequests + " per connection reached; reconnect")
            .writeTo(out);
        audit(verbOf(line), ErrorCode.BUSY.name(), start);
        finish(); // nothing is being written now: the close may send close_notify first
        return;
      }
      requests.incrementAndGet();
      Reply reply = answer(line);
      reply.writeTo(out);
      audit(verbOf(line), reply.isError() ? reply.errorCode() : "OK", start);
      if (!finish()) return;
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

  /** A request has been read: answer it, unless the connection was closed meanwhile. */
  private synchronized boolean begin() {
    if (state == ConnectionState.CLOSED) return false;
    if (state != ConnectionState.LAST) state = ConnectionState.ANSWERING;
    return true;
  }

  /** The reply is written: wait for the next request, unless this was the last one. */
  private synchronized boolean finish() {
    if (state != ConnectionState.ANSWERING) return false;
    state = ConnectionState.IDLE;
    return true;
  }

  private synchronized boolean move(ConnectionState from, ConnectionState to) {
    if (state != from) return state != ConnectionState.CLOSED;
    state = to;
    return true;
  }

  /**
   * Lets the current request finish; a connection waiting for a request closes now, unless it has not been
   * served yet (see {@link ConnectionState#FIRST}): then it is served once, within the caller's bound.
   */
  void stopAfterCurrentRequest() {
    synchronized (this) {
      switch (state) {
        case HANDSHAKING, FIRST, ANSWERING -> state = ConnectionState.LAST;
        case IDLE -> state = ConnectionState.CLOSED;
        case LAST, CLOSED -> { }
      }
      if (state != ConnectionState.CLOSED) return;
    }
    close();
  }

  /**
   * Closes the connection; safe from any thread and never blocks. JSSE's close first sends close_notify under
   * the socket's write lock, so while this connection's thread may be blocked writing to a peer that reads
   * nothing (mid-request or mid-handshake), the TCP socket is closed first: that unblocks the writer, and
   * the deadline timer, a drain or a revocation can never hang behind such a peer.
   */
  void close() {
    boolean mayBeWriting;
    synchronized (this) {
      mayBeWriting = state.mayBeWriting();
      state = ConnectionState.CLOSED;
    }
    if (mayBeWriting) Handshake.closeQuietly(raw);
    SSLSocket s = tls;
    if (s != null) Handshake.closeQuietly(s);
    Handshake.closeQuietly(raw);
  }

  ConnectionInfo info() {
    Identity i = identity;
    return new ConnectionInfo(id, i == null ? "-" : i.displayName(), i == null ? List.of() : i.names(),
        i == null ? "" : i.serial(), remote, since, requests.get());
  }

  private static String verbOf(String line) {
    int sp = line.indexOf(' ');
    return sp < 0 ? line : line.substring(0, sp);
  }

  private static String remoteOf(Socket s) {
    String host = s.getInetAddress() == null ? "?" : s.getInetAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + s.getPort();
  }
}
