package org.securecmd.daemon;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** The audit lines (or another logger's) an in-test daemon writes, captured while open; waits for one with a bound, never a sleep. */
final class AuditCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Logger logger;

  AuditCapture() {
    this("securecmd.audit");
  }

  /** Captures another logger's lines (e.g. a class's warnings) the same way. */
  AuditCapture(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    start();
    logger.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent e) {
    synchronized (lines) {
      lines.add(e.getFormattedMessage());
      lines.notifyAll();
    }
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  /** The first line matching {@code which} within {@code bound}, else an assertion failure naming {@code what}. */
  String await(Predicate<String> which, Duration bound, String what) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    synchronized (lines) {
      while (true) {
        for (String l : lines) if (which.test(l)) return l;
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("no audit line " + what + " within " + bound + "; got " + lines);
        lines.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
