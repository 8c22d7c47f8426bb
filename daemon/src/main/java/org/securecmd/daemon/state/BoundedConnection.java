package org.securecmd.daemon.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One kept database connection for calls a device waits for (RENEW reads and writes the issuance records).
 * Each call has a budget that bounds all of it: waiting while another call holds the connection, opening
 * one (connect and login), and every read from the socket (the network timeout, set per call). A database
 * host that stops answering (hung, SIGSTOPped, a dead link without a reset) then fails each call within
 * its budget, and the calls queued behind it fail within theirs instead of one after another, as they did
 * behind a {@code synchronized} connection. A kept connection that fails gets one retry on a new one when
 * the budget still allows (the issuance writes are transactions: a retry never doubles one).
 */
final class BoundedConnection {
  /** One call on the connection. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Below this much budget left, a failed call is not retried on a new connection. */
  private static final long MIN_RETRY_MILLIS = 500;

  private final Database db;
  private final ReentrantLock lock = new ReentrantLock();
  private Connection connection; // guarded by lock

  BoundedConnection(Database db) {
    this.db = db;
  }

  /** Runs {@code work} within {@code budget}, or fails with a {@link SQLTimeoutException} saying what took too long. */
  <T> T call(Duration budget, Work<T> work) throws SQLException {
    long deadline = System.nanoTime() + budget.toNanos();
    try {
      if (!lock.tryLock(budget.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new SQLTimeoutException("the database connection was busy for " + budget.toMillis() + " ms (another"
            + " call is waiting for the database to answer)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for the database connection", e);
    }
    try {
      boolean fresh = connection == null;
      try {
        return attempt(deadline, budget, work);
      } catch (SQLException e) {
        drop();
        if (fresh || millisLeft(deadline) < MIN_RETRY_MILLIS) throw e;
        try {
          return attempt(deadline, budget, work);
        } catch (SQLException again) {
          drop();
          throw again;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private <T> T attempt(long deadline, Duration budget, Work<T> work) throws SQLException {
    if (connection == null) {
      // pgjdbc bounds a login in whole seconds: with less than one left, a login could overrun the budget
      if (millisLeft(deadline) < 1000) throw new SQLTimeoutException("no time left within " + budget.toMillis() + " ms to connect");
      connection = db.open(Duration.ofMillis(millisLeft(deadline)));
    }
    long left = millisLeft(deadline);
    if (left <= 0) throw new SQLTimeoutException("no answer from the database within " + budget.toMillis() + " ms");
    // pgjdbc's socket timeout for this call; it ignores the executor (the timeout is the socket's SO_TIMEOUT)
    connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, left));
    return work.run(connection);
  }

  private static long millisLeft(long deadline) {
    return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
  }

  private void drop() {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException ignored) {
      // broken anyway
    }
    connection = null;
  }

  /** Closes the connection; a call still waiting on a hung database gets at most {@code wait} to finish first. */
  void close(Duration wait) {
    try {
      if (!lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) return; // the stuck call drops it when it fails
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      drop();
    } finally {
      lock.unlock();
    }
  }
}
