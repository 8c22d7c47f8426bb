package org.securecmd.daemon.server;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a listener's connections wait for their next request without a thread: their sockets on one
 * selector, run by one platform thread. A connection that has waited a moment with nothing arriving parks
 * here ({@link #park}: its thread ends); it is taken up again on a new connection thread
 * ({@link ServedConnection#resume}) when its socket becomes readable, or when another thread needs it to act
 * ({@link #wake}: a refusal to deliver, a close whose clean-up is its own). A virtual thread parked in a
 * TLS read kept its stack and the socket's buffers (a third of an idle connection); a parked connection
 * keeps its TLS engine and a selection key.
 *
 * <p>Only this class's thread touches the selector and each connection's {@link ServedConnection#parkedKey}
 * and {@link ServedConnection#wakeAhead}; other threads hand it work through two queues. A connection is
 * handed back once per park: a key is cancelled, and its channel's blocking mode may change only after the
 * selector has dropped it, so a connection handed back is started after the next select.
 */
final class IdleConnections implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IdleConnections.class);

  private final Selector selector;
  private final ThreadFactory threads;
  private final Queue<ServedConnection> parking = new ConcurrentLinkedQueue<>();
  private final Queue<ServedConnection> waking = new ConcurrentLinkedQueue<>();
  /** Taken out of the selector, started after the next select (which deregisters their keys). */
  private final List<ServedConnection> readable = new ArrayList<>();
  private final List<ServedConnection> woken = new ArrayList<>();
  private volatile boolean closing;
  /** Connections on the selector now (for {@code securecmdctl status} and tests). */
  private final AtomicInteger parked = new AtomicInteger();

  /** @param threads makes the connection threads that resume parked connections */
  IdleConnections(ThreadFactory threads) throws IOException {
    this.selector = Selector.open();
    this.threads = threads;
  }

  /** Called by a connection's own thread, its channel non-blocking, just before the thread ends. */
  void park(ServedConnection c) {
    parking.add(c);
    selector.wakeup();
    // closed meanwhile: whatever the loop did not take is handed back here (at most once: poll)
    if (closing && parking.remove(c)) threads.newThread(() -> c.resume(false)).start();
  }

  /** Hands a parked connection back to a new thread now (a close or a refusal); a running one is left alone. */
  void wake(ServedConnection c) {
    waking.add(c);
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      while (!closing) {
        if (readable.isEmpty() && woken.isEmpty()) {
          selector.select();
        } else {
          selector.selectNow(); // deregisters the keys cancelled last round; their connections start now
          start();
        }
        for (SelectionKey k : selector.selectedKeys()) take((ServedConnection) k.attachment(), k, readable);
        selector.selectedKeys().clear();
        ServedConnection c;
        while ((c = parking.poll()) != null) register(c);
        while ((c = waking.poll()) != null) {
          if (c.parkedKey != null) {
            take(c, c.parkedKey, woken);
          } else {
            c.wakeAhead = true; // its park is still queued (or it runs: then one spurious resume at its next park)
          }
        }
      }
    } catch (IOException | ClosedSelectorException e) {
      if (!closing) log.error("the idle connections' selector failed: {}", e.toString());
    } finally {
      handBackAll();
    }
  }

  private void register(ServedConnection c) {
    if (c.wakeAhead) {
      c.wakeAhead = false;
      woken.add(c);
      return;
    }
    try {
      c.parkedKey = c.channel().register(selector, SelectionKey.OP_READ, c);
      parked.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      // closed while parking (or not made non-blocking): its new thread finds out and ends it
      woken.add(c);
    }
  }

  private void take(ServedConnection c, SelectionKey k, List<ServedConnection> into) {
    if (c.parkedKey != k) return; // already taken this round
    c.parkedKey = null;
    parked.decrementAndGet();
    k.cancel();
    into.add(c);
  }

  private void start() {
    for (ServedConnection c : readable) threads.newThread(() -> c.resume(true)).start();
    for (ServedConnection c : woken) threads.newThread(() -> c.resume(false)).start();
    readable.clear();
    woken.clear();
  }

  /** At the end: every connection still here gets its thread back, to end (its listener is closing). */
  private void handBackAll() {
    try {
      for (SelectionKey k : selector.keys()) take((ServedConnection) k.attachment(), k, woken);
      ServedConnection c;
      while ((c = parking.poll()) != null) woken.add(c);
      selector.close();
    } catch (IOException | ClosedSelectorException e) {
      log.debug("closing the idle connections' selector: {}", e.toString());
    }
    start();
  }

  /** How many connections wait here without a thread. */
  int parked() {
    return parked.get();
  }

  /** Ends the loop; the connections parked here are handed back (the caller has closed them). */
  @Override
  public void close() {
    closing = true;
    selector.wakeup();
  }
}
