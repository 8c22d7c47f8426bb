package org.securecmd.daemon.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * Every thread and timer the daemon starts is made here, so that their kinds and names are decided in one
 * place and {@link #close} stops every timer and executor, whoever forgot to. Accept loops and timers are
 * platform threads (a timer must fire, and an accept loop must refuse, even when every carrier thread is
 * busy); connections and requests get a virtual thread each. Timers are daemon threads: a stuck one must
 * not keep the JVM alive after {@code main} returns.
 */
public final class DaemonThreads implements AutoCloseable {
  private final List<ExecutorService> owned = new ArrayList<>();

  /** The device listener's: accept loop, one virtual thread per connection, the deadline timer. */
  public Threads server() {
    return new Threads(Thread.ofPlatform().factory(), Thread.ofVirtual().name("conn-", 0).factory(),
        timer("deadlines"));
  }

  /** The admin socket's: accept loop, one virtual thread per admin client, its own deadline timer. */
  public Threads admin() {
    return new Threads(Thread.ofPlatform().factory(), Thread.ofVirtual().name("admin-client-", 0).factory(),
        timer("admin-deadlines"));
  }

  /** One virtual thread per metrics request (the HTTP server's executor). */
  public synchronized ExecutorService metricsRequests() {
    return own(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("metrics-request-", 0).factory()));
  }

  /**
   * The systemd status and watchdog timer. Its own thread, not the deadline timer: a deadline task closes
   * sockets and may block, and a late watchdog ping gets the daemon killed.
   */
  public ScheduledExecutorService systemd() {
    return timer("systemd");
  }

  /**
   * The CRL file watcher's timer. Not the systemd one either: reading and checking a large CRL takes a
   * while, and the watchdog pings must not wait for it.
   */
  public ScheduledExecutorService crlWatch() {
    return timer("crl-watch");
  }

  /** PostgreSQL's follower (LISTEN and resync): a platform thread, as it blocks in the JDBC driver. */
  public ThreadFactory stateFollower() {
    return platformDaemon("state-follower");
  }

  /**
   * Renewal's rollover: reads the issuance log when a serial first connects. One platform thread, off the
   * connections' threads, because the log may be a database that blocks (an outage costs its timeouts).
   */
  public synchronized ExecutorService rolloverLookups() {
    return own(Executors.newSingleThreadExecutor(platformDaemon("rollover")));
  }

  private synchronized ScheduledThreadPoolExecutor timer(String name) {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, platformDaemon(name));
    t.setRemoveOnCancelPolicy(true); // a cancelled deadline leaves the queue at once
    return own(t);
  }

  private static ThreadFactory platformDaemon(String name) {
    return Thread.ofPlatform().name(name).daemon(true).factory();
  }

  private <T extends ExecutorService> T own(T executor) {
    owned.add(executor);
    return executor;
  }

  /** Stops every timer and executor made here; running tasks are interrupted. */
  @Override
  public synchronized void close() {
    owned.forEach(ExecutorService::shutdownNow);
  }
}
