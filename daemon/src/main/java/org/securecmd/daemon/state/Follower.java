package org.securecmd.daemon.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that keeps this host's deny list in step with the database: {@code LISTEN}s on the state
 * channel and re-reads the table on every notification, and also every {@link #RESYNC_MILLIS} as a safety
 * net (a notification is lost when it is sent while this host is reconnecting). When the connection
 * breaks, the store goes degraded and the thread reconnects with backoff; once back, it first writes the
 * pending journal, then resyncs, which ends the degraded state.
 */
final class Follower {
  private static final Logger log = LoggerFactory.getLogger(Follower.class);
  /** The safety net; also how soon a database that stops answering without closing is noticed. */
  static final long RESYNC_MILLIS = 5_000;
  /** Each wait for notifications; bounds how long {@link #close} waits for the thread. */
  private static final int WAIT_MILLIS = 500;
  private static final long BACKOFF_MIN_MILLIS = 200;
  private static final long BACKOFF_MAX_MILLIS = 5_000;

  private final Database db;
  private final PostgresStateStore store;
  private final Thread thread;
  private volatile boolean closed;

  /** @param threads makes the following thread (the daemon's: a platform daemon thread named state-follower) */
  Follower(Database db, PostgresStateStore store, ThreadFactory threads) {
    this.db = db;
    this.store = store;
    this.thread = threads.newThread(this::run);
  }

  void start() {
    thread.start();
  }

  private void run() {
    long backoff = BACKOFF_MIN_MILLIS;
    while (!closed) {
      try (Connection c = db.open()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + DenyListTable.CHANNEL);
        }
        store.flushPending(c);
        store.sync(c);
        backoff = BACKOFF_MIN_MILLIS;
        follow(c);
      } catch (SQLException | RuntimeException e) {
        if (closed) return;
        store.degraded("the database connection failed (" + describe(e) + "); serving the last-known deny list,"
            + " reconnecting");
        log.debug("state: follower", e);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
        backoff = Math.min(BACKOFF_MAX_MILLIS, backoff * 2);
      }
    }
  }

  private void follow(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long nextResync = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESYNC_MILLIS);
    while (!closed) {
      PGNotification[] got = pg.getNotifications(WAIT_MILLIS);
      boolean changed = got != null && got.length > 0;
      if (changed || System.nanoTime() - nextResync >= 0) {
        store.sync(c);
        nextResync = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESYNC_MILLIS);
      }
    }
  }

  /** Stops the thread within about one wait. */
  void close() {
    closed = true;
    LockSupport.unpark(thread);
    try {
      thread.join(2 * WAIT_MILLIS + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A one-line reason: pgjdbc's message, with its SQLSTATE when it has one. */
  static String describe(Throwable e) {
    String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    if (e instanceof SQLException s && s.getSQLState() != null) m += " [SQLSTATE " + s.getSQLState() + "]";
    return m;
  }
}
