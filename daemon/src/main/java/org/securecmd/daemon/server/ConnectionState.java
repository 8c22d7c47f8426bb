package org.securecmd.daemon.server;

/**
 * Where one connection is in its life. Only {@link Lifecycle} moves it, under its own lock; other threads (a
 * drain, the admin socket, a policy re-check, the deadline sweep) ask it to move and act on what it was.
 */
enum ConnectionState {
  /** The TLS handshake runs; the thread may be blocked writing to the peer. */
  HANDSHAKING,
  /**
   * Handshake done, first request not answered yet. A stop still serves that request once, so a device
   * that connected just before a restart gets its reply.
   */
  FIRST,
  /** Waiting for the next request; nothing is being written. A stop closes it at once. */
  IDLE,
  /** A request is being answered; the thread may be blocked writing the reply. */
  ANSWERING,
  /** A stop came while handshaking or answering: the request being (or about to be) answered is the last. */
  LAST,
  /**
   * A refusal ({@code ERR FORBIDDEN} after a policy change, {@code ERR BUSY} over a limit) waits to be
   * written: unprompted, or after the reply being written. Nothing else is answered, and no stop or second
   * refusal replaces it.
   */
  REFUSED,
  /** The refusal is being written; then the connection closes. */
  REFUSING,
  /** Closed, or being closed; nothing more is read or answered. */
  CLOSED;

  /** Whether the connection's own thread may be blocked in a write (so a close must not wait for it). */
  boolean mayBeWriting() {
    return this != IDLE && this != CLOSED;
  }
}
