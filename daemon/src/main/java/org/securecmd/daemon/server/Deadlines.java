package org.securecmd.daemon.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The clocks one connection is held to, checked from outside by the registry's sweep (so no timer task is
 * made per connection or request, and no socket read is timed): the handshake as a whole
 * ({@code handshake_timeout}), the wait for a request ({@code idle_timeout}), a request line from its first
 * byte ({@code request_timeout}), a reply being written ({@code write_timeout}), and the connection's age
 * ({@code max_connection_age}).
 */
final class Deadlines {
  private static final long NONE = Long.MIN_VALUE;

  private final Limits limits;
  private final long born = System.nanoTime();
  /** Running from accept; ENDED when the handshake ended in time, EXPIRED when the sweep cut it first. */
  private final AtomicLong handshake = new AtomicLong(born);
  private static final long ENDED = Long.MIN_VALUE + 1;
  private static final long EXPIRED = Long.MIN_VALUE + 2;
  /** Since when the connection waits for a request with none begun; NONE while a request is read or answered. */
  private volatile long waitingSince = NONE;
  private volatile long lineStart = NONE;
  private volatile long writeStart = NONE;

  Deadlines(Limits limits) {
    this.limits = limits;
  }

  /**
   * The handshake ended (either way); false when the sweep had already found it past {@code handshake_timeout}
   * and closed the socket, so a failure is "handshake timed out" whatever exception JSSE threw.
   */
  boolean handshakeEnded() {
    long start = handshake.get();
    return start != EXPIRED && handshake.compareAndSet(start, ENDED);
  }

  /** Whether the sweep has cut the handshake (its socket is closed or being closed). */
  boolean handshakeCut() {
    return handshake.get() == EXPIRED;
  }

  java.time.Duration handshakeTimeout() {
    return limits.handshakeTimeout();
  }

  /** Run by the sweep: true exactly once, when a handshake still running is past {@code handshake_timeout}. */
  boolean handshakeExpired(long now) {
    long start = handshake.get();
    return start != ENDED && start != EXPIRED && now - start > limits.handshakeTimeout().toNanos()
        && handshake.compareAndSet(start, EXPIRED);
  }

  /**
   * The connection is about to wait for a request (after its handshake, after each reply): the idle clock
   * starts, unless bytes of the next request are already buffered (then the request clock runs instead).
   */
  void awaitingRequest() {
    if (lineStart == NONE) waitingSince = System.nanoTime();
  }

  /** Bytes of a request arrived; starts the request clock unless a line is already in progress. */
  void bytesArrived() {
    if (lineStart == NONE) lineStart = System.nanoTime();
    if (waitingSince != NONE) waitingSince = NONE;
  }

  /** A whole line was read; {@code more} when bytes of the next one are already buffered. */
  void lineRead(boolean more) {
    waitingSince = NONE;
    lineStart = more ? System.nanoTime() : NONE;
  }

  /** Whether the connection has waited for a request longer than {@code idle_timeout}. */
  boolean idleExpired(long now) {
    long since = waitingSince;
    return since != NONE && now - since > limits.idleTimeout().toNanos();
  }

  void writeStarted() {
    writeStart = System.nanoTime();
  }

  void writeEnded() {
    writeStart = NONE;
  }

  /** Which clock has run out at {@code now}: {@code "request"}, {@code "write"}, or null. */
  String expired(long now) {
    long line = lineStart;
    if (line != NONE && now - line > limits.requestTimeout().toNanos()) return "request";
    long write = writeStart;
    if (write != NONE && now - write > limits.writeTimeout().toNanos()) return "write";
    return null;
  }

  boolean tooOld(long now) {
    return now - born > limits.maxConnectionAge().toNanos();
  }
}
