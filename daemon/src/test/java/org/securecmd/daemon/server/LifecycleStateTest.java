package org.securecmd.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;

/** The decisions of {@link Lifecycle}, one thread at a time; the real-socket behaviour is in the daemon tests. */
class LifecycleStateTest {
  private static final Reply FORBIDDEN = Reply.error(ErrorCode.FORBIDDEN, "revoked by the operator");

  @Test
  void aStopServesTheFirstRequestOnceAndClosesAnIdleConnectionAtOnce() {
    Lifecycle first = new Lifecycle();
    assertTrue(first.handshakeDone());
    assertFalse(first.stopAfterCurrentRequest(), "not served yet: the first request is still answered");
    assertTrue(first.begin());
    assertFalse(first.finish(), "and it was the last");

    Lifecycle idle = served();
    assertTrue(idle.stopAfterCurrentRequest(), "waiting for a request: close now");
    assertFalse(idle.begin());
  }

  @Test
  void aRefusalOfAWaitingConnectionIsDeliveredByTheCallerExactlyOnce() {
    Lifecycle l = served();
    assertEquals(Lifecycle.Refusal.DELIVER, l.refuse(FORBIDDEN));
    assertEquals(Lifecycle.Refusal.NONE, l.refuse(Reply.error(ErrorCode.FORBIDDEN, "other")), "the first one wins");
    assertFalse(l.begin(), "a request read meanwhile is not answered");
    assertSame(FORBIDDEN, l.takeRefusal());
    assertNull(l.takeRefusal(), "the connection's own thread then finds it taken");
    assertTrue(l.close(), "closed while REFUSING: the writer may be blocked, so the TCP socket goes first");
  }

  @Test
  void aRefusalOfAnAnsweringConnectionIsLeftToItAndFollowsTheReply() {
    Lifecycle l = served();
    assertTrue(l.begin());
    assertEquals(Lifecycle.Refusal.LEFT_TO_CONNECTION, l.refuse(FORBIDDEN));
    assertFalse(l.finish(), "after the reply, no further request");
    assertSame(FORBIDDEN, l.takeRefusal());
    l.refusalWritten();
    assertFalse(l.close(), "written: nothing blocks a close_notify");
  }

  @Test
  void aHandshakingConnectionIsClosedWithoutALineAndNotRechecked() {
    Lifecycle l = new Lifecycle();
    assertFalse(l.checkable());
    assertEquals(Lifecycle.Refusal.CLOSE, l.refuse(FORBIDDEN));
    assertTrue(l.close());
    assertFalse(l.handshakeDone(), "closed while handshaking");
    assertNull(l.takeRefusal());
  }

  @Test
  void aRefusalOutlastsAStopAndASecondRefusal() {
    Lifecycle l = served();
    assertEquals(Lifecycle.Refusal.DELIVER, l.refuse(FORBIDDEN));
    assertFalse(l.checkable(), "refused: no re-check refuses it again");
    assertFalse(l.stopAfterCurrentRequest(), "a stop leaves the refusal to be delivered, then the close");
    l.refuseHere(Reply.error(ErrorCode.BUSY, "over a limit"));
    assertSame(FORBIDDEN, l.takeRefusal());
  }

  @Test
  void aRefusalOnTheConnectionsOwnThreadIsDeliveredOnItsWayOut() {
    Lifecycle l = new Lifecycle();
    assertTrue(l.handshakeDone());
    l.refuseHere(FORBIDDEN);
    assertFalse(l.begin(), "nothing is answered");
    assertEquals(Lifecycle.Refusal.NONE, l.refuse(Reply.error(ErrorCode.FORBIDDEN, "other")));
    assertSame(FORBIDDEN, l.takeRefusal());
    l.refusalWritten();
    assertFalse(l.close());
  }

  @Test
  void aClosedConnectionTakesNoRefusal() {
    Lifecycle l = served();
    assertFalse(l.close(), "idle: nothing is being written");
    l.refuseHere(FORBIDDEN);
    assertEquals(Lifecycle.Refusal.NONE, l.refuse(FORBIDDEN));
    assertNull(l.takeRefusal());
  }

  @Test
  void aParkedConnectionIsWokenForARefusalAndItsNewThreadEndsIt() {
    Lifecycle l = served();
    assertTrue(l.park());
    assertTrue(l.parked());
    assertEquals(Lifecycle.Refusal.WAKE, l.refuse(FORBIDDEN), "no thread to deliver it: wake the connection");
    assertFalse(l.resume(), "its new thread only ends it");
    assertFalse(l.parked());
    assertSame(FORBIDDEN, l.takeRefusal());
  }

  @Test
  void aParkedConnectionStoppedBeforeItsFirstRequestStillWaitsForIt() {
    Lifecycle l = new Lifecycle();
    assertTrue(l.handshakeDone());
    assertTrue(l.park());
    assertFalse(l.stopAfterCurrentRequest(), "not served yet: it stays parked for its one request");
    assertEquals(Lifecycle.Refusal.WAKE, l.refuse(FORBIDDEN), "LAST and parked: woken, not left to a thread");
  }

  @Test
  void aParkedConnectionResumesUnlessClosedAndIsNeverWritingWhileParked() {
    Lifecycle l = served();
    assertTrue(l.park());
    assertTrue(l.resume(), "bytes arrived: served on its new thread");
    assertTrue(l.park());
    assertFalse(l.close(), "parked: no thread is writing, so the close may send close_notify");
    assertTrue(l.parked(), "closed while parked: the close must wake it for its clean-up");
    assertFalse(l.resume());
    assertFalse(l.park(), "closed: never parks again");
  }

  @Test
  void aRefusedConnectionDoesNotPark() {
    Lifecycle l = served();
    assertEquals(Lifecycle.Refusal.DELIVER, l.refuse(FORBIDDEN));
    assertFalse(l.park(), "its thread ends it instead, delivering the line");
  }

  private static Lifecycle served() {
    Lifecycle l = new Lifecycle();
    l.handshakeDone();
    l.begin();
    l.finish();
    assertTrue(l.checkable());
    return l;
  }
}
