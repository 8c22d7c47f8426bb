package org.securecmd.daemon.server;

import java.time.Duration;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The clocks one connection is held to, checked from outside by the registry's sweep (so no timer task is
 * made per connection or request, and no socket read is timed): the handshake as a whole
 * ({@code handshake_timeout}), the wait for a request ({@code idle_timeout}), a request line from its first
 * byte ({@code request_timeout}), a reply being written ({@code write_timeout}), and the connection's age
 * ({@code max_connection_age}).
 *
 * <p>One {@link Phase} runs at a time, with the time it began; both sit in one atomic word, so the sweep
 * never sees a phase with another phase's start. The sweep acts at most once per connection: it moves the
 * phase to {@link Phase#CUT} or {@link Phase#EXPIRED}, which nothing leaves.
 */
final class Deadlines {
  /** What the connection is doing, and so which clock runs. */
  enum Phase {
    /** From accept until the handshake ends: {@code handshake_timeout}. */
    HANDSHAKE,
    /** No clock: the handshake is done and no request is awaited yet, or a request is being answered. */
    SERVING,
    /** Waiting for a request with none begun: {@code idle_timeout}. */
    WAITING,
    /** A request line has begun (its first bytes arrived): {@code request_timeout}. */
    READING,
    /** A reply (or refusal) is being written: {@code write_timeout}. */
    WRITING,
    /**
     * As WRITING, with bytes of the next request already read: READING begins again when the write ends, so
     * a pipelined line's clock does not count the time its predecessor was answered and written.
     */
    WRITING_AHEAD,
    /** The sweep cut the handshake: its socket is closed or being closed. */
    CUT,
    /** The sweep acted on an idle, request, write or age deadline; it does not act again. */
    EXPIRED
  }

  /** What the sweep found, and has acted on by moving the phase: the caller closes or stops the connection. */
  enum Expiry { NONE, HANDSHAKE, IDLE, REQUEST, WRITE, AGE, STEP }

  private static final Phase[] PHASES = Phase.values();
  private static final int PHASE_BITS = 3;
  private static final long PHASE_MASK = (1 << PHASE_BITS) - 1;

  private final Limits limits;
  private final long born = System.nanoTime();
  /** The phase (low bits) and when it began, in nanoseconds since {@link #born} (the rest). */
  /**
   * Written through {@link #CLOCK} (compare-and-set) rather than held in an {@code AtomicLong}: every open
   * connection has one, and an object of its own was 24 bytes more per idle connection.
   */
  private volatile long clock = pack(Phase.HANDSHAKE, 0);
  private static final VarHandle CLOCK;

  static {
    try {
      CLOCK = MethodHandles.lookup().findVarHandle(Deadlines.class, "clock", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * An enrollment connection's {@code step_timeout} in nanoseconds (0: none), and when it last made progress
   * (nanoseconds since {@link #born}): such a connection is closed when it waits for its next step longer.
   */
  private volatile long stepNanos;
  private volatile long lastStep;

  Deadlines(Limits limits) {
    this.limits = limits;
  }

  /**
   * From now on the connection must make progress ({@link #stepMade}) at least every {@code timeout}, however
   * many other requests it sends: a connection without a certificate that only enrolls.
   */
  void requireSteps(Duration timeout) {
    lastStep = System.nanoTime() - born;
    stepNanos = Math.max(1, timeout.toNanos());
  }

  /** An enrollment step was answered: the step clock starts again. */
  void stepMade() {
    lastStep = System.nanoTime() - born;
  }

  Phase phase() {
    return phaseOf(clock);
  }

  /**
   * The handshake ended (either way); false when the sweep had already found it past {@code handshake_timeout}
   * and closed the socket, so a failure is "handshake timed out" whatever exception JSSE threw.
   */
  boolean handshakeEnded() {
    long c = clock;
    if (phaseOf(c) == Phase.HANDSHAKE && CLOCK.compareAndSet(this, c, pack(Phase.SERVING, System.nanoTime() - born))) {
      return true;
    }
    return phase() != Phase.CUT;
  }

  /** Whether the sweep has cut the handshake (its socket is closed or being closed). */
  boolean handshakeCut() {
    return phase() == Phase.CUT;
  }

  Duration handshakeTimeout() {
    return limits.handshakeTimeout();
  }

  /**
   * The connection is about to wait for a request (after its handshake, after each reply): the idle clock
   * starts, unless bytes of the next request are already read (then the request clock runs instead).
   */
  void awaitingRequest() {
    move(Phase.SERVING, Phase.WAITING);
  }

  /** Bytes of a request arrived; starts the request clock unless a line is already in progress. */
  void bytesArrived() {
    move(Phase.WAITING, Phase.READING);
  }

  /** A whole line was read; {@code more} when bytes of the next one are already buffered. */
  void lineRead(boolean more) {
    long now = System.nanoTime() - born;
    long c;
    do {
      c = clock;
      Phase p = phaseOf(c);
      // a refusal being written by another thread keeps its write clock; the connection then closes
      if (p == Phase.CUT || p == Phase.EXPIRED || p == Phase.WRITING || p == Phase.WRITING_AHEAD) return;
    } while (!CLOCK.compareAndSet(this, c, pack(more ? Phase.READING : Phase.SERVING, now)));
  }

  /** A reply starts to be written (one at a time: the connection's write lock). */
  void writeStarted() {
    long now = System.nanoTime() - born;
    long c;
    do {
      c = clock;
      Phase p = phaseOf(c);
      if (p == Phase.CUT || p == Phase.EXPIRED) return;
      Phase next = p == Phase.READING ? Phase.WRITING_AHEAD : Phase.WRITING;
      if (CLOCK.compareAndSet(this, c, pack(next, now))) return;
    } while (true);
  }

  void writeEnded() {
    long now = System.nanoTime() - born;
    long c;
    do {
      c = clock;
      Phase p = phaseOf(c);
      if (p != Phase.WRITING && p != Phase.WRITING_AHEAD) return;
      if (CLOCK.compareAndSet(this, c, pack(p == Phase.WRITING_AHEAD ? Phase.READING : Phase.SERVING, now))) return;
    } while (true);
  }

  /**
   * Run by the sweep: which deadline has passed at {@code now} (a {@link System#nanoTime} value), if any.
   * Each is reported once: the phase moves to CUT or EXPIRED. An age past {@code max_connection_age} is
   * reported once the handshake is done.
   */
  Expiry expire(long now) {
    long c = clock;
    Phase p = phaseOf(c);
    long elapsed = now - born - (c >>> PHASE_BITS);
    Expiry e = switch (p) {
      case HANDSHAKE -> elapsed > limits.handshakeTimeout().toNanos() ? Expiry.HANDSHAKE : Expiry.NONE;
      case WAITING -> elapsed > limits.idleTimeout().toNanos() ? Expiry.IDLE : Expiry.NONE;
      case READING -> elapsed > limits.requestTimeout().toNanos() ? Expiry.REQUEST : Expiry.NONE;
      case WRITING, WRITING_AHEAD -> elapsed > limits.writeTimeout().toNanos() ? Expiry.WRITE : Expiry.NONE;
      case SERVING, CUT, EXPIRED -> Expiry.NONE;
    };
    if (e == Expiry.NONE && p != Phase.HANDSHAKE && p != Phase.CUT && p != Phase.EXPIRED
        && now - born > limits.maxConnectionAge().toNanos()) {
      e = Expiry.AGE;
    }
    long step = stepNanos;
    if (e == Expiry.NONE && step > 0 && (p == Phase.WAITING || p == Phase.READING) && now - born - lastStep > step) {
      e = Expiry.STEP;
    }
    if (e == Expiry.NONE) return e;
    long end = pack(e == Expiry.HANDSHAKE ? Phase.CUT : Phase.EXPIRED, c >>> PHASE_BITS);
    return CLOCK.compareAndSet(this, c, end) ? e : Expiry.NONE; // moved meanwhile: looked at again next sweep
  }

  /** Moves from {@code from} to {@code to}, starting its clock now; in any other phase, nothing changes. */
  private void move(Phase from, Phase to) {
    long c = clock;
    if (phaseOf(c) == from) CLOCK.compareAndSet(this, c, pack(to, System.nanoTime() - born));
  }

  private static long pack(Phase phase, long sinceBorn) {
    return sinceBorn << PHASE_BITS | phase.ordinal();
  }

  private static Phase phaseOf(long c) {
    return PHASES[(int) (c & PHASE_MASK)];
  }
}
