package org.securecmd.daemon.server;

/**
 * The clocks one connection is held to, checked from outside by the registry's sweep (so no timer task is
 * made per request): a request line from its first byte ({@code request_timeout}), a reply being written
 * ({@code write_timeout}), and the connection's age ({@code max_connection_age}).
 */
final class Deadlines {
  private static final long NONE = Long.MIN_VALUE;

  private final Limits limits;
  private final long born = System.nanoTime();
  private volatile long lineStart = NONE;
  private volatile long writeStart = NONE;

  Deadlines(Limits limits) {
    this.limits = limits;
  }

  /** Bytes of a request arrived; starts the request clock unless a line is already in progress. */
  void bytesArrived() {
    if (lineStart == NONE) lineStart = System.nanoTime();
  }

  /** A whole line was read; {@code more} when bytes of the next one are already buffered. */
  void lineRead(boolean more) {
    lineStart = more ? System.nanoTime() : NONE;
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
