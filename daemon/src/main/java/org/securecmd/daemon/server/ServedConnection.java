package org.securecmd.daemon.server;

import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.securecmd.daemon.audit.AuditEvent;
import org.securecmd.daemon.auth.ChainTrust;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.command.Call;
import org.securecmd.daemon.command.ConnectionFacts;
import org.securecmd.daemon.config.AttestationSettings;
import org.securecmd.daemon.config.ClientAuthMode;
import org.securecmd.daemon.config.CommandSettings;
import org.securecmd.daemon.config.HostPort;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.LineReader;
import org.securecmd.protocol.ProtocolException;
import org.securecmd.protocol.Reply;
import org.securecmd.protocol.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted connection on its own virtual thread: the {@link Handshake}, then requests one line at a time
 * until the peer closes, goes idle, reaches a limit, is refused, or the daemon stops. Every request is
 * authorised and answered by the generation current when it arrives (policy, allow lists, replies); only the
 * TLS session and the {@link Limits} stay as they were at accept. Whatever happens, the permit, the counts and
 * the socket are released.
 *
 * <p>A refusal ({@link #refuse}) is one {@code ERR} line, then close. It is written by this connection's
 * thread when that thread is answering, else (the thread waits for a request) by a short-lived thread of its
 * own; the refusal is delivered once either way, before the socket closes.
 *
 * <p>Its state (a pending refusal included) is kept by {@link Lifecycle}, its clocks by {@link Deadlines}; this
 * class does the I/O they call for. What the handshake established is one value ({@link Handshake.Completed}),
 * set once; what the connection proved beyond it is another ({@link ConnectionFacts}), which its requests'
 * handlers read and replace as a whole. Over 300 lines: the request loop, the refusal delivery and the
 * deadline checks share the write lock, the {@link Lifecycle} and the {@link Deadlines}, and read best side by
 * side.
 */
final class ServedConnection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ServedConnection.class);
  /**
   * How long a connection waits for its next request on its own thread before it parks without one
   * ({@link IdleConnections}): a device that sends again or closes within this costs no trip through the
   * selector, and one that stays idle holds no thread, stack or buffer after it.
   */
  static final int PARK_AFTER_MILLIS = 100;
  private static final int TOO_LONG_DISCARD_BYTES = 1 << 20;
  private static final int TOO_LONG_DISCARD_MILLIS = 2000;
  static final int MAX_RENEW_LINE_BYTES = 16 * 1024;
  /** What a connection without a certificate admitted only to enroll may send. */
  private static final Set<String> ENROLLING_VERBS = Set.of(CommandSettings.ENROLL, CommandSettings.ENROLL_PROOF,
      CommandSettings.NONCE, CommandSettings.PING, CommandSettings.WHOAMI);
  private static final Reply ENROLL_ONLY = Reply.error(ErrorCode.FORBIDDEN, "a client certificate is required; "
      + "without one only ENROLL, ENROLL-PROOF, NONCE, PING and WHOAMI are served");

  private final long id;
  private final Socket raw;
  /** The address the socket was accepted from (a balancer's, behind one); {@link #remote()} is the peer's. */
  private final String acceptedFrom;
  private final Generation accepted;
  private final Limits limits;
  private final Deadlines deadlines;
  private final ServerContext context;
  /** When it was accepted (epoch milliseconds: an {@code Instant} per connection was 24 bytes of an idle one). */
  private final long sinceMillis = System.currentTimeMillis();
  private final Lifecycle lifecycle = new Lifecycle();
  /** The completed handshake: TLS socket, identity, chain, the peer's address; null until then. */
  private volatile Handshake.Completed peer;
  /** The trust anchors this connection's chain last passed ({@link #refusal}); the handshake's at first. */
  private volatile ChainTrust trustedBy;
  private final AtomicReference<ConnectionFacts> facts = new AtomicReference<>(ConnectionFacts.NONE);
  /**
   * The address whose enrollment slot this connection holds: set when it was admitted without a certificate
   * only because {@code [attestation]} is configured (it may then only enroll); null otherwise.
   */
  private volatile String enrollingFrom;
  /** A client without a certificate that the policy itself admitted (allow_anonymous), not only to enroll. */
  private volatile boolean anonymousByPolicy;
  /** Requests answered; only this connection's thread writes it. */
  private volatile long requests;
  /** Holds an identity count (when certified) and the listener was told; set before the first park. */
  private boolean admitted;
  /** Its key while parked ({@link IdleConnections}); only the selector's thread reads and writes it. */
  SelectionKey parkedKey;
  /** A wake came before its park reached the selector; only the selector's thread reads and writes it. */
  boolean wakeAhead;

  /**
   * @param accepted the generation current at accept: its TLS context and limits serve this connection
   * @param limits that generation's limits (one value shared by its connections)
   */
  ServedConnection(long id, Socket raw, Generation accepted, Limits limits, ServerContext context) {
    this.id = id;
    this.raw = raw;
    this.acceptedFrom = remoteOf(raw);
    this.accepted = accepted;
    this.limits = limits;
    this.deadlines = new Deadlines(limits);
    this.context = context;
  }

  long id() {
    return id;
  }

  @Override
  public void run() {
    onThisThread(() -> {
      admitted = handshakeAndAdmit();
      if (!admitted) return false;
      Handshake.Completed p = peer;
      context.audit().connectionAccepted(id, p.identity().displayName(), p.remote(),
          p.tls().session().getProtocol(), p.resumed());
      context.listener().accepted(id, p.identity(), p.chain().isEmpty() ? null : p.chain().get(0));
      // idle_timeout is kept by the registry's sweep (Deadlines), not by a read timeout: a timed read of a
      // virtual thread schedules and cancels a timer per read. The one timed read left is the short wait
      // before a park (bytesWithin), whose cost per request docs/performance.md states.
      return serve(false);
    });
  }

  /**
   * Takes a parked connection up on a new thread ({@link IdleConnections}): {@code readable} when bytes (or
   * the end of the stream) arrived, else it was woken to end or to deliver a refusal.
   */
  void resume(boolean readable) {
    context.registry().resumed(this);
    onThisThread(() -> {
      if (!lifecycle.resume()) return false;
      peer.tls().channel().configureBlocking(true);
      return serve(readable);
    });
  }

  /** A stretch of this connection's work on the calling thread; true when it ends with the connection parked. */
  @FunctionalInterface
  private interface Stretch {
    boolean run() throws IOException;
  }

  /** Runs one stretch, and ends the connection unless it parked (the thread is then given up, not the connection). */
  private void onThisThread(Stretch stretch) {
    Thread.currentThread().setName("conn-" + id + " " + acceptedFrom);
    boolean parked = false;
    try {
      parked = stretch.run();
    } catch (IOException e) {
      log.debug("conn {} closed: {}", id, e.toString());
    } catch (RuntimeException e) {
      log.error("conn {} failed unexpectedly", id, e);
    } finally {
      if (!parked) end();
    }
  }

  /** The end of the connection, once: a pending refusal delivered, its counts and socket released. */
  private void end() {
    deliverRefusal();
    if (admitted && !peer.identity().isAnonymous()) context.identities().release(peer.identity().displayName());
    String enrolling = enrollingFrom;
    if (enrolling != null) {
      context.enrolling().release(enrolling);
      context.enrolling().release(ServerContext.ALL_ENROLLING);
    }
    context.permits().release();
    close();
    context.registry().remove(this);
    if (admitted) context.listener().closed(id);
  }

  /**
   * The handshake, then the connection's policy and identity limit; true when the connection is admitted
   * (its identity then counted, when certified: {@link #run} gives it back). A refusal is left in
   * {@link #lifecycle} for {@link #run} to deliver.
   */
  private boolean handshakeAndAdmit() throws IOException {
    Optional<Handshake.Completed> done;
    try {
      done = new Handshake(id, acceptedFrom, context, deadlines)
          .run(raw, accepted.tls(), accepted.config().server().proxyProtocol());
    } finally {
      // a listed balancer takes no slot for its own address (Server); the device's is Handshake's
      if (!ProxyPrelude.listed(raw, accepted.config().server().proxyProtocol())) {
        context.handshakes().release(raw.getInetAddress());
      }
    }
    if (done.isEmpty()) return false;
    Handshake.Completed h = done.get();
    // the handshake (or the full one a resumed session came from: same context, same anchors) validated it
    trustedBy = accepted.policy().trust();
    peer = h;
    Identity identity = h.identity();
    String remote = h.remote();
    // FIRST before the policy check: a re-check that runs from here on sees this connection.
    if (!lifecycle.handshakeDone()) return false;
    Generation g = context.current().get();
    if (identity.isAnonymous() && admitsOnlyToEnroll(g)) return admitToEnroll(h, g.config().attestation().get());
    Optional<String> refused = refusal(g, h);
    if (refused.isPresent()) {
      context.audit().connectionRefused(id, identity.displayName(), remote, refused.get());
      lifecycle.refuseHere(Reply.error(ErrorCode.FORBIDDEN, refused.get()));
      return false;
    }
    if (!identity.isAnonymous()
        && !context.identities().tryAcquire(identity.displayName(), limits.maxConnectionsPerIdentity())) {
      String why = "too many open connections for this identity (max " + limits.maxConnectionsPerIdentity() + ")";
      context.audit().connectionRefused(id, identity.displayName(), remote, "identity_limit", why);
      lifecycle.refuseHere(Reply.error(ErrorCode.BUSY, why));
      return false;
    }
    if (identity.isAnonymous()) anonymousByPolicy = true;
    return true;
  }

  /**
   * A client without a certificate, which the connection policy alone would refuse, may enroll while
   * {@code [attestation]} is configured: within {@code max_enrollments_per_address} and {@code max_enrollments}
   * (counted from here until it closes, so such clients cannot fill {@code max_connections}), and held to
   * {@code step_timeout} between enrollment steps. Over a cap it gets {@code ERR BUSY}.
   */
  private boolean admitToEnroll(Handshake.Completed h, AttestationSettings a) {
    String address = hostOf(h.remote());
    if (!context.enrolling().tryAcquire(address, a.maxEnrollmentsPerAddress())) {
      return refuseEnrollment(h, "too many enrollments in progress from this address (max_enrollments_per_address "
          + a.maxEnrollmentsPerAddress() + ")");
    }
    if (!context.enrolling().tryAcquire(ServerContext.ALL_ENROLLING, a.maxEnrollments())) {
      context.enrolling().release(address);
      return refuseEnrollment(h, "too many enrollments in progress (max_enrollments " + a.maxEnrollments() + ")");
    }
    enrollingFrom = address;
    deadlines.requireSteps(a.stepTimeout());
    return true;
  }

  /**
   * Whether {@code g} lets a client without a certificate in only to enroll: {@code [attestation]} is configured
   * and the connection policy admits no such client by itself (auth "required", where allow_anonymous has no
   * effect, or allow_anonymous false). The same test at admission and at every re-check, so a re-check racing
   * the admission cannot tell them apart.
   */
  private static boolean admitsOnlyToEnroll(Generation g) {
    return g.config().attestation().isPresent()
        && (g.config().clients().auth() == ClientAuthMode.REQUIRED || !g.config().clients().allowAnonymous());
  }

  private boolean refuseEnrollment(Handshake.Completed h, String why) {
    context.audit().connectionRefused(id, h.identity().displayName(), h.remote(), "enrollment_limit", why);
    lifecycle.refuseHere(Reply.error(ErrorCode.BUSY, why));
    return false;
  }

  /**
   * Answers requests until the connection ends (false) or, waiting for a request with nothing arriving for
   * {@link #PARK_AFTER_MILLIS}, parks without a thread (true). {@code readable}: bytes are known to be there
   * (a resume), so no wait comes first. Nothing of a request is held across a park: it happens only between
   * lines with nothing buffered, so the line reader is made afresh for each run.
   */
  private boolean serve(boolean readable) throws IOException {
    Handshake.Completed p = peer;
    TlsChannel s = p.tls();
    InputStream buffered = new LineStartInput(s.input(), deadlines::bytesArrived);
    // RENEW carries a CSR (RSA-4096: about 2 KiB of base64), ENROLL and ENROLL-PROOF an EK certificate or a
    // CSR and TPM structures; only these verbs get the longer limit.
    List<String> longVerbs = Stream.of(CommandSettings.RENEW, CommandSettings.ENROLL, CommandSettings.ENROLL_PROOF,
            CommandSettings.QUOTE)
        .filter(context.current().get().commands()::knows).map(v -> v + " ").toList();
    LineReader in = new LineReader(buffered, limits.maxLineBytes(), longVerbs,
        longVerbs.isEmpty() ? limits.maxLineBytes() : MAX_RENEW_LINE_BYTES);
    // Unbuffered: every reply is one write and one flush (Reply.writeTo), so JSSE makes one record of it
    // either way; a BufferedOutputStream only added a copy and 4 KiB per open connection.
    OutputStream out = s.output();
    Identity identity = p.identity();
    while (true) {
      String line;
      deadlines.awaitingRequest();
      if (!readable && !bytesWithin(s, PARK_AFTER_MILLIS)) return park(s);
      readable = false;
      try {
        line = in.readLine();
      } catch (ProtocolException e) {
        deadlines.lineRead(s.hasInput());
        if (!lifecycle.begin()) return false;
        long start = System.nanoTime();
        write(e.toReply(), out); // written like any other reply: it may block on a peer that reads nothing
        audit(p, "-", e.code().name(), start);
        if (!lifecycle.finish()) return false;
        if (e.code() == ErrorCode.LINE_TOO_LONG) {
          // The stream is mid-line and cannot be resynchronised, so the connection ends; the peer is most
          // likely still sending the rest: take up to a further 1 MiB (2 s) so our line reaches it first.
          LingeringClose.discard(raw, buffered, TOO_LONG_DISCARD_BYTES, TOO_LONG_DISCARD_MILLIS);
          return false;
        }
        continue;
      }
      if (line == null) return false;
      deadlines.lineRead(s.hasInput());
      if (!lifecycle.begin()) return false;
      long start = System.nanoTime();
      // Parsed once: the verb the audit line shows is the parsed one. A line that is no request is answered
      // BAD_REQUEST below, after the refusal and limit checks every line gets.
      Request request = null;
      ProtocolException malformed = null;
      try {
        request = Request.parse(line);
      } catch (ProtocolException e) {
        malformed = e;
      }
      String verb = request != null ? request.verb() : unparsedVerb(line);
      Generation now = context.current().get();
      Optional<String> refused = refusal(now, p);
      if (refused.isPresent()) {
        audit(p, verb, ErrorCode.FORBIDDEN.name(), start);
        context.audit().connectionRefused(id, identity.displayName(), p.remote(), refused.get());
        lifecycle.refuseHere(Reply.error(ErrorCode.FORBIDDEN, refused.get()));
        return false;
      }
      int maxRequests = limits.maxRequestsPerConnection();
      if (requests >= maxRequests) {
        write(Reply.error(ErrorCode.BUSY, "request limit of " + maxRequests + " per connection reached; reconnect"),
            out);
        audit(p, verb, ErrorCode.BUSY.name(), start);
        lifecycle.finish(); // nothing is being written now: the close may send close_notify first
        return false;
      }
      requests++; // only this thread writes it
      Reply reply = request == null ? malformed.toReply()
          : enrollingFrom != null && !ENROLLING_VERBS.contains(verb) ? ENROLL_ONLY
          : answer(now, p, request);
      if (enrollingFrom != null && CommandSettings.ATTESTATION_VERBS.contains(verb)) deadlines.stepMade();
      write(reply, out);
      audit(p, verb, reply.isError() ? reply.errorCode() : "OK", start);
      if (!lifecycle.finish()) return false;
    }
  }

  /**
   * Waits up to {@code millis} for bytes of the next request (one timed read: a device that sends again
   * at once, or closes, is served on this thread); false when none came.
   */
  private boolean bytesWithin(TlsChannel s, int millis) throws IOException {
    if (s.hasInput()) return true;
    raw.setSoTimeout(millis);
    try {
      s.prefetch();
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } finally {
      raw.setSoTimeout(0);
    }
  }

  /**
   * Leaves the connection to {@link IdleConnections} with nothing buffered, and this thread ends; false when it
   * was refused or closed meanwhile (then this thread ends it).
   */
  private boolean park(TlsChannel s) throws IOException {
    if (!lifecycle.park()) return false;
    context.registry().parked(this);
    s.release();
    try {
      s.channel().configureBlocking(false);
    } catch (IOException e) {
      // closed meanwhile: parked all the same, the selector hands it back at once and its new thread ends it
    }
    context.idle().park(this);
    return true;
  }

  private Reply answer(Generation now, Handshake.Completed p, Request request) {
    try {
      return now.commands().dispatch(request.verb(),
          new Call(p.identity(), p.chain(), request.arguments(), facts, p.remote())).reply();
    } catch (RuntimeException e) {
      log.error("conn {}: handler failed", id, e);
      return Reply.error(ErrorCode.INTERNAL, "internal error");
    }
  }

  /** One reply, under the write lock and the write clock (a sweep closes the socket past {@code write_timeout}). */
  private void write(Reply reply, OutputStream out) throws IOException {
    ReentrantLock writing = peer.tls().writing(); // the TLS writer's own lock: one per connection, not two
    writing.lock();
    try {
      deadlines.writeStarted();
      reply.writeTo(out);
    } finally {
      deadlines.writeEnded();
      writing.unlock();
    }
  }

  private void audit(Handshake.Completed p, String verb, String result, long startNanos) {
    context.audit().request(new AuditEvent(id, p.identity().displayName(), p.remote(), verb, result,
        (System.nanoTime() - startNanos) / 1000));
  }

  /**
   * Why generation {@code g} refuses this connection, if it does: its policy (for an enrollment connection,
   * whether {@code [attestation]} is still configured), a state its quote no longer satisfies, and whether the
   * chain still leads to {@code g}'s {@code [clients] ca}. That path validation runs once per set of trust anchors (a
   * reload), never per request otherwise; a CRL change keeps the anchors and so skips it.
   */
  private Optional<String> refusal(Generation g, Handshake.Completed p) {
    if (p.identity().isAnonymous() && admitsOnlyToEnroll(g) && !anonymousByPolicy) {
      return Optional.empty(); // admitted (or being admitted) to enroll, and only that
    }
    Optional<String> refused = g.policy().refusal(p.identity(), p.chain());
    if (refused.isEmpty()) refused = lostState(g);
    ChainTrust trust = g.policy().trust();
    if (refused.isPresent() || p.chain().isEmpty() || trust == trustedBy) return refused;
    if (!trust.keepsEveryAnchorOf(trustedBy)) {
      refused = g.policy().untrusted(p.chain());
      if (refused.isPresent()) return refused;
    }
    trustedBy = trust;
    return refused;
  }

  /**
   * A connection attested by {@code QUOTE} whose quote no longer satisfies a state it was accepted for (a
   * reload removed the value set) is refused, as one a reload took off the allow list.
   */
  private Optional<String> lostState(Generation g) {
    return g.commands().lostState(facts.get()).map(state -> "this connection's TPM quote no longer satisfies "
        + "[attestation.states." + state + "]");
  }

  /**
   * Re-checks this connection against the current generation and deny list (CRL, deny list, allow list,
   * validity, [clients] ca); a refused one gets {@code ERR FORBIDDEN <reason>} and is closed. Returns whether it was refused.
   * A connection still handshaking is checked by its own thread when the handshake completes.
   */
  boolean recheck() {
    Handshake.Completed p = peer;
    if (p == null || !lifecycle.checkable()) return false;
    Optional<String> refused = refusal(context.current().get(), p);
    if (refused.isEmpty()) return false;
    context.audit().connectionRefused(id, p.identity().displayName(), p.remote(), refused.get());
    return refuse(Reply.error(ErrorCode.FORBIDDEN, refused.get()));
  }

  /**
   * Sends {@code reply} (an {@code ERR} line) after the current request, or now when none is being answered,
   * then closes. Never blocks the caller. A connection still handshaking is closed without a line.
   */
  boolean refuse(Reply reply) {
    switch (lifecycle.refuse(reply)) {
      case NONE -> {
        return false;
      }
      case CLOSE -> close();
      // The connection's thread is blocked reading; a thread of our own writes the line under write_timeout.
      case DELIVER -> context.threads().newThread(this::deliverRefusal).start();
      case LEFT_TO_CONNECTION -> { } // its thread delivers the line when its reply is written
      case WAKE -> context.idle().wake(this); // no thread: a new one delivers the line
    }
    return true;
  }

  /** Writes the refusal once, whichever thread gets here first, then closes; the other finds it done. */
  private void deliverRefusal() {
    Reply r = lifecycle.takeRefusal();
    if (r == null) return;
    Handshake.Completed p = peer;
    try {
      // no peer: refused after a stop while its handshake ran, which then failed; there is no one to tell
      if (p != null) write(r, p.tls().output());
    } catch (IOException e) {
      log.debug("conn {}: refusal not delivered: {}", id, e.toString());
    } finally {
      lifecycle.refusalWritten();
      close();
    }
  }

  /**
   * Run by the registry's sweep: cuts a handshake past {@code handshake_timeout}, closes a connection whose
   * request or reply ran out of time, ends old ones. Each at most once ({@link Deadlines#expire}).
   */
  void checkDeadlines(long now) {
    switch (deadlines.expire(now)) {
      case NONE -> { }
      case HANDSHAKE -> Handshake.closeQuietly(raw); // the connection's thread audits "handshake timed out"
      case IDLE -> {
        log.debug("conn {} idle for {}, closing", id, limits.idleTimeout());
        close(); // its thread, blocked reading, sees the socket closed and ends as on a peer's close
      }
      case REQUEST -> timedOut("request");
      case STEP -> timedOut("step"); // an enrollment connection made no step within step_timeout
      case WRITE -> timedOut("write");
      case AGE -> {
        context.audit().connectionRefused(id, displayName(), remote(), "max_connection_age",
            "connection older than max_connection_age (" + limits.maxConnectionAge() + "); closed after its request");
        stopAfterCurrentRequest();
      }
    }
  }

  private void timedOut(String clock) {
    context.audit().timedOut(id, displayName(), remote(), clock);
    close();
  }

  /**
   * Lets the current request finish; a connection waiting for a request closes now, unless it has not been
   * served yet (see {@link ConnectionState#FIRST}): then it is served once, within the caller's bound.
   */
  void stopAfterCurrentRequest() {
    if (lifecycle.stopAfterCurrentRequest()) close();
  }

  /**
   * Closes the connection; safe from any thread and never blocks. JSSE's close first sends close_notify under
   * the socket's write lock, so while this connection's thread may be blocked writing to a peer that reads
   * nothing (mid-request or mid-handshake), the TCP socket is closed first: that unblocks the writer, and
   * the deadline sweep, a drain or a revocation can never hang behind such a peer.
   */
  void close() {
    boolean mayBeWriting = lifecycle.close();
    if (mayBeWriting) Handshake.closeQuietly(raw);
    Handshake.Completed p = peer;
    if (p != null) p.tls().close(!mayBeWriting);
    Handshake.closeQuietly(raw);
    if (lifecycle.parked()) context.idle().wake(this); // its clean-up (end) runs on a thread of its own
  }

  SocketChannel channel() {
    return raw.getChannel();
  }

  ConnectionInfo info() {
    Handshake.Completed p = peer;
    if (p == null) return new ConnectionInfo(id, "-", List.of(), "", acceptedFrom, Instant.ofEpochMilli(sinceMillis), requests);
    Identity i = p.identity();
    return new ConnectionInfo(id, i.displayName(), i.names(), i.serial(), p.remote(), Instant.ofEpochMilli(sinceMillis),
        requests);
  }

  /** The peer's address: the device's own when a listed balancer's PROXY v2 header said so. */
  private String remote() {
    Handshake.Completed p = peer;
    return p == null ? acceptedFrom : p.remote();
  }

  private String displayName() {
    Handshake.Completed p = peer;
    return p == null ? "-" : p.identity().displayName();
  }

  /**
   * What the audit line shows as the verb of a line that is not a request (it failed {@link Request#parse}):
   * the text before its first space, as it always did.
   */
  private static String unparsedVerb(String line) {
    int sp = line.indexOf(' ');
    return sp < 0 ? line : line.substring(0, sp);
  }

  /** The host part of an address as {@link HostPort} writes it ({@code 1.2.3.4:5}, {@code [::1]:5}). */
  private static String hostOf(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return colon <= 0 ? hostPort : hostPort.substring(0, colon);
  }

  private static String remoteOf(Socket s) {
    return s.getInetAddress() == null ? "?:" + s.getPort() : HostPort.of(s.getInetAddress(), s.getPort());
  }
}
