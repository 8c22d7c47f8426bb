package org.securecmd.daemon.server;

import org.securecmd.protocol.Reply;

/**
 * The {@link ConnectionState} of one connection, with the line of its refusal, moved under one lock. It
 * decides; the connection does the I/O each decision calls for. A refusal is recorded once
 * ({@link ConnectionState#REFUSED}) and delivered once, by whichever thread asks first ({@link #takeRefusal}).
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
    LEFT_TO_CONNECTION,
    /** The connection waits without a thread ({@link IdleConnections}): wake it, its new thread delivers the line. */
    WAKE
  }

  private ConnectionState state = ConnectionState.HANDSHAKING;
  /** Waiting for a request without a thread ({@link IdleConnections}); only in FIRST, IDLE or (a stop) LAST. */
  private boolean parked;
  /** The line of a REFUSED or REFUSING connection; unused in every other state. */
  private Reply refusal;

  /** The handshake completed; false when the connection was closed meanwhile. */
  synchronized boolean handshakeDone() {
    if (state == ConnectionState.HANDSHAKING) state = ConnectionState.FIRST;
    return state != ConnectionState.CLOSED;
  }

  /** Whether a policy re-check applies: handshake done, not closed, not refused yet. */
  synchronized boolean checkable() {
    return switch (state) {
      case FIRST, IDLE, ANSWERING, LAST -> true;
      case HANDSHAKING, REFUSED, REFUSING, CLOSED -> false;
    };
  }

  /** A request has been read: answer it, unless the connection was closed or refused meanwhile. */
  synchronized boolean begin() {
    switch (state) {
      case CLOSED, REFUSED, REFUSING -> {
        return false;
      }
      case LAST -> { }
      default -> state = ConnectionState.ANSWERING;
    }
    return true;
  }

  /** The reply is written: wait for the next request, unless this was the last one or a refusal came. */
  synchronized boolean finish() {
    if (state != ConnectionState.ANSWERING) return false;
    state = ConnectionState.IDLE;
    return true;
  }

  /** Records a refusal decided on another thread and says who writes it. */
  synchronized Refusal refuse(Reply reply) {
    switch (state) {
      case CLOSED, REFUSED, REFUSING -> {
        return Refusal.NONE;
      }
      case HANDSHAKING -> {
        return Refusal.CLOSE;
      }
      case FIRST, IDLE -> {
        refused(reply);
        return parked ? Refusal.WAKE : Refusal.DELIVER;
      }
      default -> { // ANSWERING, LAST
        refused(reply);
        return parked ? Refusal.WAKE : Refusal.LEFT_TO_CONNECTION;
      }
    }
  }

  /**
   * The connection's thread leaves it waiting for a request without a thread; false when it was refused or
   * closed meanwhile (the thread then ends it, delivering a refusal).
   */
  synchronized boolean park() {
    if (state != ConnectionState.FIRST && state != ConnectionState.IDLE && state != ConnectionState.LAST) return false;
    parked = true;
    return true;
  }

  /** A new thread takes the parked connection up; false when it was refused or closed meanwhile (it only ends). */
  synchronized boolean resume() {
    parked = false;
    return state == ConnectionState.FIRST || state == ConnectionState.IDLE || state == ConnectionState.LAST;
  }

  /** Whether the connection waits without a thread: a close must wake it, for its clean-up. */
  synchronized boolean parked() {
    return parked;
  }

  /** Records a refusal decided by the connection's own thread, which delivers it on its way out. */
  synchronized void refuseHere(Reply reply) {
    if (state != ConnectionState.CLOSED && state != ConnectionState.REFUSED && state != ConnectionState.REFUSING) {
      refused(reply);
    }
  }

  private void refused(Reply reply) {
    state = ConnectionState.REFUSED;
    refusal = reply;
  }

  /** The refusal to write now (state REFUSING), or null when there is none or another thread took it. */
  synchronized Reply takeRefusal() {
    if (state != ConnectionState.REFUSED) return null;
    state = ConnectionState.REFUSING;
    return refusal;
  }

  /** The refusal is written: nothing is being written now, so the close may send close_notify first. */
  synchronized void refusalWritten() {
    if (state == ConnectionState.REFUSING) state = ConnectionState.IDLE;
  }

  /**
   * A stop: the current (or, not served yet, the first) request is the last; returns true when the
   * connection waits for a request and must be closed now. A refused connection closes after its line.
   */
  synchronized boolean stopAfterCurrentRequest() {
    switch (state) {
      case HANDSHAKING, FIRST, ANSWERING -> state = ConnectionState.LAST;
      case IDLE -> state = ConnectionState.CLOSED;
      case LAST, REFUSED, REFUSING, CLOSED -> { }
    }
    return state == ConnectionState.CLOSED;
  }

  /** Moves to CLOSED; returns whether the connection's thread may have been blocked writing. */
  synchronized boolean close() {
    boolean mayBeWriting = !parked && state.mayBeWriting();
    state = ConnectionState.CLOSED;
    return mayBeWriting;
  }
}
