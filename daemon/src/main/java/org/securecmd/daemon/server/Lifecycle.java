package org.securecmd.daemon.server;

import org.securecmd.protocol.Reply;

/**
 * The {@link ConnectionState} of one connection and the refusal waiting for it, moved under one lock. It
 * decides; the connection does the I/O each decision calls for. A refusal is recorded once and delivered
 * once, by whichever thread asks first ({@link #takeRefusal}).
 */
final class Lifecycle {
  /** What a refusal decided on another thread asks of the caller. */
  enum Refusal {
    /** Already closed or refused: nothing to do. */
    NONE,
    /** Still handshaking: close without a line (the peer cannot read one yet). */
    CLOSE,
    /** The connection's thread waits for a request: the caller must deliver the line itself. */
    DELIVER,
    /** The connection's thread is answering: it delivers the line after its reply. */
    LEFT_TO_CONNECTION
  }

  private ConnectionState state = ConnectionState.HANDSHAKING;
  private Reply refusal;
  private boolean refusalTaken;

  /** The handshake completed; false when the connection was closed meanwhile. */
  synchronized boolean handshakeDone() {
    if (state == ConnectionState.HANDSHAKING) state = ConnectionState.FIRST;
    return state != ConnectionState.CLOSED;
  }

  /** Whether a policy re-check applies: handshake done, not closed, not refused yet. */
  synchronized boolean checkable() {
    return state != ConnectionState.HANDSHAKING && state != ConnectionState.CLOSED && refusal == null;
  }

  /** A request has been read: answer it, unless the connection was closed or refused meanwhile. */
  synchronized boolean begin() {
    if (state == ConnectionState.CLOSED || refusal != null) return false;
    if (state != ConnectionState.LAST) state = ConnectionState.ANSWERING;
    return true;
  }

  /** The reply is written: wait for the next request, unless this was the last one or a refusal came. */
  synchronized boolean finish() {
    if (state != ConnectionState.ANSWERING || refusal != null) return false;
    state = ConnectionState.IDLE;
    return true;
  }

  /** Records a refusal decided on another thread and says who writes it. */
  synchronized Refusal refuse(Reply reply) {
    if (state == ConnectionState.CLOSED || refusal != null) return Refusal.NONE;
    if (state == ConnectionState.HANDSHAKING) return Refusal.CLOSE;
    refusal = reply;
    return state == ConnectionState.FIRST || state == ConnectionState.IDLE ? Refusal.DELIVER
        : Refusal.LEFT_TO_CONNECTION;
  }

  /** Records a refusal decided by the connection's own thread, which delivers it on its way out. */
  synchronized void refuseHere(Reply reply) {
    if (refusal == null) refusal = reply;
  }

  /** The refusal to write now (state REFUSING), or null when there is none or another thread took it. */
  synchronized Reply takeRefusal() {
    if (refusal == null || refusalTaken || state == ConnectionState.CLOSED) return null;
    refusalTaken = true;
    state = ConnectionState.REFUSING;
    return refusal;
  }

  /** The refusal is written: nothing is being written now, so the close may send close_notify first. */
  synchronized void refusalWritten() {
    if (state == ConnectionState.REFUSING) state = ConnectionState.IDLE;
  }

  /**
   * A stop: the current (or, not served yet, the first) request is the last; returns true when the
   * connection waits for a request and must be closed now.
   */
  synchronized boolean stopAfterCurrentRequest() {
    switch (state) {
      case HANDSHAKING, FIRST, ANSWERING -> state = ConnectionState.LAST;
      case IDLE -> state = ConnectionState.CLOSED;
      case LAST, REFUSING, CLOSED -> { }
    }
    return state == ConnectionState.CLOSED;
  }

  /** Moves to CLOSED; returns whether the connection's thread may have been blocked writing. */
  synchronized boolean close() {
    boolean mayBeWriting = state.mayBeWriting();
    state = ConnectionState.CLOSED;
    return mayBeWriting;
  }
}
