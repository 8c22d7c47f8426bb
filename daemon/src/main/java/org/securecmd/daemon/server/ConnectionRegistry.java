package org.securecmd.daemon.server;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open connections: listed by the admin socket, re-checked on every policy change, swept for their
 * deadlines, drained on shutdown.
 */
public final class ConnectionRegistry {
  private final Map<Long, ServedConnection> open = new ConcurrentHashMap<>();
  /**
   * The open connections that are not parked ({@link IdleConnections}): handshaking, reading, answering, or
   * in their moment before a park. Their clocks (handshake, request, write, step) need the sweep's 100 ms;
   * a parked one only waits for {@code idle_timeout} and {@code max_connection_age}, so the whole registry is
   * swept once a second. Measured (bench/idle-scale.sh, docs/performance.md): a visit costs 70–90 ns per
   * connection, so a sweep of everything every 100 ms would take 0.7–0.9 of a core at a million parked
   * connections; once a second it is under a tenth.
   */
  private final Set<ServedConnection> active = ConcurrentHashMap.newKeySet();
  /** Sweeps since the last one over every connection; only the sweeping thread uses it. */
  private int sinceFullSweep;
  /** Every how many sweeps the parked connections are checked too (at 100 ms a sweep: once a second). */
  static final int FULL_SWEEP_EVERY = 10;
  private final Object emptied = new Object();
  private static final Logger log = LoggerFactory.getLogger(ConnectionRegistry.class);
  private static final String OPERATOR = "disconnected by the operator";

  void add(ServedConnection c) {
    open.put(c.id(), c);
    active.add(c);
  }

  /** The connection parks: from now on its deadlines are checked by the once-a-second sweep only. */
  void parked(ServedConnection c) {
    active.remove(c);
  }

  /** A parked connection was taken up by a new thread. */
  void resumed(ServedConnection c) {
    active.add(c);
  }

  void remove(ServedConnection c) {
    open.remove(c.id());
    active.remove(c);
    synchronized (emptied) {
      emptied.notifyAll();
    }
  }

  public int size() {
    return open.size();
  }

  /** Snapshot sorted by id. */
  public List<ConnectionInfo> list() {
    return open.values().stream().map(ServedConnection::info).sorted(Comparator.comparingLong(ConnectionInfo::id)).toList();
  }

  /**
   * Re-checks every open connection against the current generation and deny list (CRL, deny list, allow
   * list, validity) and closes each refused one with one unprompted {@code ERR FORBIDDEN <reason>} line.
   * Called on every policy change: a reload, a revoke. Never blocks behind a slow peer; returns how many
   * connections it refused.
   */
  public int recheckOpenConnections() {
    int n = 0;
    for (ServedConnection c : open.values()) {
      if (c.recheck()) n++;
    }
    return n;
  }

  /**
   * Closes connection {@code id} the way a refused one is closed ({@code ERR FORBIDDEN disconnected by the
   * operator}, after its current request); returns its info, or empty when no such connection is open.
   */
  public Optional<ConnectionInfo> disconnect(long id) {
    ServedConnection c = open.get(id);
    if (c == null) return Optional.empty();
    ConnectionInfo info = c.info();
    c.refuse(Reply.error(ErrorCode.FORBIDDEN, OPERATOR));
    return Optional.of(info);
  }

  /**
   * As {@link #disconnect} for every connection whose info matches; returns how many. A policy change
   * should call {@link #recheckOpenConnections} instead, which decides by the policy itself.
   */
  public int disconnectIf(Predicate<ConnectionInfo> which) {
    int n = 0;
    for (ServedConnection c : open.values()) {
      if (which.test(c.info()) && c.refuse(Reply.error(ErrorCode.FORBIDDEN, OPERATOR))) n++;
    }
    return n;
  }

  /**
   * Closes connections whose request or reply ran out of time; ends those older than max_connection_age. The
   * parked ones are checked every {@link #FULL_SWEEP_EVERY}th call.
   */
  void sweep() {
    long now = System.nanoTime();
    boolean full = ++sinceFullSweep >= FULL_SWEEP_EVERY;
    if (full) sinceFullSweep = 0;
    for (ServedConnection c : full ? open.values() : active) {
      try {
        c.checkDeadlines(now);
      } catch (RuntimeException e) {
        // an exception would cancel the periodic sweep for good: log it and go on with the others
        log.error("deadline check of conn {} failed", c.id(), e);
      }
    }
  }

  /** Asks every connection to stop after its current request; idle ones close now. */
  void drain() {
    open.values().forEach(ServedConnection::stopAfterCurrentRequest);
  }

  /** Waits until no connection is open or the bound passes; returns whether all closed. */
  boolean awaitEmpty(Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    synchronized (emptied) {
      while (!open.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        emptied.wait(Math.max(1, left / 1_000_000));
      }
    }
    return true;
  }

  void closeAll() {
    open.values().forEach(ServedConnection::close);
  }
}
