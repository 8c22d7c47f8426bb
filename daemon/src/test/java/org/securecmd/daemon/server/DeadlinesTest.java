package org.securecmd.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The phases of {@link Deadlines} and what the sweep finds in each, one thread at a time. The sweep's clock is
 * put far enough ahead that a deadline has certainly passed (or certainly not), so nothing waits.
 */
class DeadlinesTest {
  private static final Duration HANDSHAKE = Duration.ofSeconds(10);
  private static final Duration IDLE = Duration.ofMinutes(5);
  private static final Duration REQUEST = Duration.ofSeconds(20);
  private static final Duration WRITE = Duration.ofSeconds(30);
  private static final Duration AGE = Duration.ofHours(24);
  private static final Limits LIMITS = new Limits(HANDSHAKE, IDLE, REQUEST, WRITE, AGE, 1024, 1000, 10);

  private static long after(Duration d) {
    return System.nanoTime() + d.toNanos() + Duration.ofSeconds(1).toNanos();
  }

  private static long within(Duration d) {
    return System.nanoTime() + d.toNanos() / 2;
  }

  private static Deadlines served() {
    Deadlines d = new Deadlines(LIMITS);
    assertTrue(d.handshakeEnded());
    return d;
  }

  @Test
  void aHandshakePastItsTimeoutIsCutOnceAndThenCountsAsTimedOut() {
    Deadlines d = new Deadlines(LIMITS);
    assertEquals(Deadlines.Expiry.NONE, d.expire(within(HANDSHAKE)));
    assertEquals(Deadlines.Expiry.HANDSHAKE, d.expire(after(HANDSHAKE)));
    assertEquals(Deadlines.Expiry.NONE, d.expire(after(HANDSHAKE)), "cut once");
    assertTrue(d.handshakeCut());
    assertFalse(d.handshakeEnded(), "a handshake that ends after the cut timed out");
    d.awaitingRequest();
    assertEquals(Deadlines.Phase.CUT, d.phase(), "nothing leaves CUT");
  }

  @Test
  void aHandshakeThatEndsInTimeIsNeverCut() {
    Deadlines d = served();
    assertTrue(d.handshakeEnded(), "asked again (its failure path): still in time");
    assertFalse(d.handshakeCut());
    assertEquals(Deadlines.Expiry.NONE, d.expire(after(HANDSHAKE)));
  }

  @Test
  void theIdleClockRunsWhileWaitingAndTheRequestClockFromTheFirstBytes() {
    Deadlines d = served();
    d.awaitingRequest();
    assertEquals(Deadlines.Phase.WAITING, d.phase());
    assertEquals(Deadlines.Expiry.NONE, d.expire(after(REQUEST)), "waiting is held to idle_timeout only");
    d.bytesArrived();
    assertEquals(Deadlines.Phase.READING, d.phase());
    d.bytesArrived();
    assertEquals(Deadlines.Phase.READING, d.phase(), "more bytes of the same line keep its clock");
    assertEquals(Deadlines.Expiry.NONE, d.expire(within(REQUEST)));
    assertEquals(Deadlines.Expiry.REQUEST, d.expire(after(REQUEST)));
    assertEquals(Deadlines.Expiry.NONE, d.expire(after(AGE)), "the sweep acts once");
  }

  @Test
  void anIdleConnectionExpiresAfterIdleTimeout() {
    Deadlines d = served();
    d.awaitingRequest();
    assertEquals(Deadlines.Expiry.NONE, d.expire(within(IDLE)));
    assertEquals(Deadlines.Expiry.IDLE, d.expire(after(IDLE)));
    assertEquals(Deadlines.Phase.EXPIRED, d.phase());
  }

  @Test
  void answeringRunsNoClockAndWritingRunsTheWriteClock() {
    Deadlines d = served();
    d.awaitingRequest();
    d.bytesArrived();
    d.lineRead(false);
    assertEquals(Deadlines.Phase.SERVING, d.phase());
    assertEquals(Deadlines.Expiry.NONE, d.expire(after(IDLE)), "no clock while the server answers");
    d.writeStarted();
    assertEquals(Deadlines.Expiry.NONE, d.expire(within(WRITE)));
    assertEquals(Deadlines.Expiry.WRITE, d.expire(after(WRITE)));
    d.writeEnded();
    assertEquals(Deadlines.Phase.EXPIRED, d.phase(), "a write that ends after the sweep acted stays expired");
  }

  @Test
  void aPipelinedLineKeepsARequestClockAcrossTheReplyBeforeIt() {
    Deadlines d = served();
    d.awaitingRequest();
    d.lineRead(true);
    assertEquals(Deadlines.Phase.READING, d.phase(), "bytes of the next line are buffered");
    d.writeStarted();
    assertEquals(Deadlines.Phase.WRITING_AHEAD, d.phase());
    d.writeEnded();
    assertEquals(Deadlines.Phase.READING, d.phase());
    d.awaitingRequest();
    assertEquals(Deadlines.Phase.READING, d.phase(), "no idle clock: a line is already begun");
    assertEquals(Deadlines.Expiry.REQUEST, d.expire(after(REQUEST)));
  }

  @Test
  void aRefusalWrittenByAnotherThreadKeepsItsWriteClockWhileTheReaderMoves() {
    Deadlines d = served();
    d.awaitingRequest();
    d.writeStarted(); // the refusal, from a thread of its own
    d.bytesArrived();
    d.lineRead(false);
    assertEquals(Deadlines.Phase.WRITING, d.phase());
    assertEquals(Deadlines.Expiry.WRITE, d.expire(after(WRITE)));
  }

  @Test
  void anOldConnectionIsReportedOnceAndOnlyAfterItsHandshake() {
    Deadlines handshaking = new Deadlines(new Limits(Duration.ofDays(2), IDLE, REQUEST, WRITE, AGE, 1024, 1000, 10));
    assertEquals(Deadlines.Expiry.NONE, handshaking.expire(after(AGE)), "the handshake's own clock governs it");

    Deadlines d = served();
    d.awaitingRequest();
    d.bytesArrived();
    d.lineRead(false);
    assertEquals(Deadlines.Expiry.NONE, d.expire(within(AGE)));
    assertEquals(Deadlines.Expiry.AGE, d.expire(after(AGE)));
    assertEquals(Deadlines.Expiry.NONE, d.expire(after(AGE)), "reported once");
    d.writeStarted();
    assertEquals(Deadlines.Phase.EXPIRED, d.phase());
  }

  @Test
  void anEnrollmentConnectionMustMakeAStepWithinStepTimeoutWhateverElseItSends() {
    Duration step = Duration.ofSeconds(3);
    Deadlines d = served();
    d.requireSteps(step);
    d.awaitingRequest();
    assertEquals(Deadlines.Expiry.NONE, d.expire(within(step)));
    d.bytesArrived(); // a PING: a request, but no step
    d.lineRead(false);
    d.awaitingRequest();
    assertEquals(Deadlines.Expiry.STEP, d.expire(after(step)), "idle_timeout is far; the step clock ran out");
    assertEquals(Deadlines.Expiry.NONE, d.expire(after(step)), "once");

    Deadlines stepping = served();
    stepping.requireSteps(step);
    stepping.stepMade();
    stepping.awaitingRequest();
    assertEquals(Deadlines.Expiry.NONE, stepping.expire(within(step)), "a step starts the clock again");

    Deadlines certified = served();
    certified.awaitingRequest();
    assertEquals(Deadlines.Expiry.NONE, certified.expire(after(step)), "no step clock without requireSteps");
  }
}
