package org.securecmd.daemon.server;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** The open connections: listed by the admin socket, closed by revocation, drained on shutdown. */
public final class ConnectionRegistry {
  private final Map<Long, ServedConnection> open = new ConcurrentHashMap<>();
  private final Object emptied = new Object();

  void add(ServedConnection c) {
    open.put(c.id(), c);
  }

  void remove(ServedConnection c) {
    open.remove(c.id());
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

  /** Closes connection {@code id}; returns its info, or empty when no such connection is open. */
  public Optional<ConnectionInfo> disconnect(long id) {
    ServedConnection c = open.get(id);
    if (c == null) return Optional.empty();
    ConnectionInfo info = c.info();
    c.close();
    return Optional.of(info);
  }

  /** Closes every connection whose info matches; returns how many. */
  public int disconnectIf(Predicate<ConnectionInfo> which) {
    int n = 0;
    for (ServedConnection c : open.values()) {
      if (which.test(c.info())) {
        c.close();
        n++;
      }
    }
    return n;
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
