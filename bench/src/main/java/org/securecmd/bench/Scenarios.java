package org.securecmd.bench;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * The bounded load scenarios. Each stops after its count or its time bound, whichever comes first, and
 * returns one {@link Row}; nothing here asserts.
 */
final class Scenarios {
  private final Dialer dialer;
  private final String secret;
  private final double msPerTick;

  Scenarios(Dialer dialer, String secret, int clockTicksPerSecond) {
    this.dialer = dialer;
    this.secret = secret;
    this.msPerTick = 1000.0 / clockTicksPerSecond;
  }

  /** One result line of the table. {@code extra} is scenario-specific (resumed count, RSS per connection). */
  record Row(String scenario, String target, int ok, double seconds, double connsPerSec, double reqsPerSec,
             Recorder rec, long rssKib, double cpuMsPerHandshake, String extra) {}

  /**
   * Connect, full or resumed handshake, GET_SECRET, close; {@code concurrency} loops until {@code count}.
   * For resumption each worker is one device with its own session cache, primed by one untimed connection.
   */
  Row handshakes(Target t, boolean resume, int concurrency, int count, int maxSeconds) throws Exception {
    Recorder rec = new Recorder(count);
    AtomicInteger tickets = new AtomicInteger();
    CountDownLatch primed = new CountDownLatch(concurrency);
    CountDownLatch go = new CountDownLatch(1);
    long[] cpu0 = new long[1];
    double secs = run(concurrency, maxSeconds, () -> {
      javax.net.ssl.SSLContext device = null;
      try {
        if (resume) {
          device = dialer.newDevice();
          try (Dialer.Conn c = dialer.open(t, device)) {
            c.send("GET_SECRET"); // reading the reply also takes in the session ticket
          }
        }
      } catch (Exception e) {
        rec.error(e);
      } finally {
        primed.countDown();
      }
      try {
        go.await();
      } catch (InterruptedException e) {
        return;
      }
      while (tickets.getAndIncrement() < count && !Thread.currentThread().isInterrupted()) {
        long start = System.nanoTime();
        try (Dialer.Conn c = dialer.open(t, device)) {
          String r = c.send("GET_SECRET");
          if (!r.equals(secret)) throw new IOException("unexpected reply " + r);
          if (c.resumed) rec.resumed.increment();
          rec.ok(System.nanoTime() - start);
        } catch (IOException | RuntimeException e) {
          rec.error(e);
        }
      }
    }, () -> {
      primed.await();
      cpu0[0] = t.cpuTicks();
      go.countDown();
    });
    long cpu = t.cpuTicks() - cpu0[0];
    int ok = rec.count();
    String name = (resume ? "resumed" : "full") + " c=" + concurrency;
    return new Row(name, t.name(), ok, secs, ok / secs, ok / secs, rec, t.rssKib(),
        ok == 0 ? Double.NaN : cpu * msPerTick / ok, "resumed " + rec.resumed.sum() + "/" + ok);
  }

  /** {@code connections} kept open, each sending {@code perConnection} GET_SECRET one after the other. */
  Row kept(Target t, int connections, int perConnection, int maxSeconds) throws Exception {
    Recorder rec = new Recorder(connections * perConnection);
    long cpu0 = t.cpuTicks();
    double secs = run(connections, maxSeconds, () -> {
      try (Dialer.Conn c = dialer.open(t)) {
        for (int i = 0; i < perConnection && !Thread.currentThread().isInterrupted(); i++) {
          long start = System.nanoTime();
          String r = c.send("GET_SECRET");
          if (!r.equals(secret)) throw new IOException("unexpected reply " + r);
          rec.ok(System.nanoTime() - start);
        }
      } catch (IOException | RuntimeException e) {
        rec.error(e);
      }
    });
    long cpu = t.cpuTicks() - cpu0;
    int ok = rec.count();
    return new Row("kept " + connections + "x" + perConnection, t.name(), ok, secs, connections / secs, ok / secs,
        rec, t.rssKib(), Double.NaN, "CPU " + fmt(cpu * msPerTick * 1000 / Math.max(1, ok)) + " us/req");
  }

  /**
   * Opens {@code n} authenticated connections (handshake + one GET_SECRET), holds them {@code holdSeconds},
   * checks a sample still answers, closes them. RSS per connection = (RSS held - RSS before) / n.
   */
  Row idle(Target t, int n, int holdSeconds, int openConcurrency) throws Exception {
    t.collectGarbage();
    long beforeGc = t.rssKib();
    long before = t.rssKib();
    long fdsBefore = t.fds();
    long threadsBefore = t.threads();
    List<Dialer.Conn> open = Collections.synchronizedList(new ArrayList<>(n));
    Recorder rec = new Recorder(n);
    Semaphore slots = new Semaphore(openConcurrency);
    long start0 = System.nanoTime();
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        slots.acquire();
        ex.submit(() -> {
          long start = System.nanoTime();
          try {
            Dialer.Conn c = dialer.open(t);
            c.socket.setSoTimeout(30_000);
            if (!c.send("GET_SECRET").equals(secret)) throw new IOException("unexpected reply");
            open.add(c);
            rec.ok(System.nanoTime() - start);
          } catch (IOException | RuntimeException e) {
            rec.error(e);
          } finally {
            slots.release();
          }
        });
      }
    }
    double openSecs = (System.nanoTime() - start0) / 1e9;
    TimeUnit.SECONDS.sleep(holdSeconds); // the hold is the scenario, not synchronisation
    long held = t.rssKib();
    long heldGc = t.collectGarbage() ? t.rssKib() : -1;
    long fdsHeld = t.fds();
    int alive = 0;
    for (int i = 0; i < Math.min(100, open.size()); i++) {
      try {
        if (open.get(i * Math.max(1, open.size() / 100)).send("GET_SECRET").equals(secret)) alive++;
      } catch (IOException e) {
        rec.error(e);
      }
    }
    open.forEach(Dialer.Conn::close);
    int ok = open.size();
    // After closing: the server's descriptors and threads should come back to where they were (bounded poll).
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (t.fds() > fdsBefore + 5 && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(100);
    long fdsAfter = t.fds();
    double perConn = ok == 0 ? Double.NaN : (held - before) / (double) ok;
    return new Row("idle " + n + " held " + holdSeconds + "s", t.name(), ok, openSecs, ok / openSecs, Double.NaN,
        rec, held, Double.NaN, "RSS " + before / 1024 + "->" + held / 1024 + " MiB = " + fmt(perConn)
            + " KiB/conn" + (heldGc < 0 ? "" : " (after a full GC: " + fmt((heldGc - beforeGc) / (double) Math.max(1, ok))
            + " KiB/conn)") + "; fds " + fdsBefore + "->" + fdsHeld + "->" + fdsAfter + " after close; threads "
            + threadsBefore + "->" + t.threads() + "; sample alive " + alive);
  }

  /**
   * {@code attempts} connections as fast as {@code concurrency} allows: served (secret received), refused
   * fast (reset or closed before a reply), timed out (no answer within the client timeout).
   */
  Row storm(Target t, int attempts, int concurrency, int maxSeconds) throws Exception {
    Recorder rec = new Recorder(attempts);
    AtomicInteger tickets = new AtomicInteger();
    long cpu0 = t.cpuTicks();
    Recorder refusedLatency = new Recorder(attempts);
    double secs = run(concurrency, maxSeconds, () -> {
      while (tickets.getAndIncrement() < attempts && !Thread.currentThread().isInterrupted()) {
        long start = System.nanoTime();
        try (Dialer.Conn c = dialer.open(t)) {
          if (!c.send("GET_SECRET").equals(secret)) throw new IOException("unexpected reply");
          rec.ok(System.nanoTime() - start);
        } catch (SocketTimeoutException e) {
          rec.timedOut.increment();
        } catch (SocketException | SSLException | java.io.EOFException e) {
          rec.refusedFast.increment();
          refusedLatency.ok(System.nanoTime() - start);
        } catch (IOException | RuntimeException e) {
          if (e.getMessage() != null && e.getMessage().contains("closed")) {
            rec.refusedFast.increment();
            refusedLatency.ok(System.nanoTime() - start);
          } else {
            rec.error(e);
          }
        }
      }
    });
    long cpu = t.cpuTicks() - cpu0;
    int ok = rec.count();
    return new Row("storm " + attempts + " c=" + concurrency, t.name(), ok, secs, ok / secs, ok / secs, rec,
        t.rssKib(), ok == 0 ? Double.NaN : cpu * msPerTick / ok,
        "served " + ok + ", refused fast " + rec.refusedFast.sum() + " (p99 "
            + fmt(refusedLatency.percentileMillis(99)) + " ms), timed out " + rec.timedOut.sum());
  }

  /** A step run on the calling thread that may be interrupted. */
  interface Start {
    void run() throws InterruptedException;
  }

  /** Runs {@code body} on {@code workers} virtual threads; interrupts them at the bound; returns seconds taken. */
  private static double run(int workers, int maxSeconds, Runnable body) throws InterruptedException {
    return run(workers, maxSeconds, body, () -> {});
  }

  /** As above; the clock starts once {@code start} returns (it waits for the workers to be ready). */
  private static double run(int workers, int maxSeconds, Runnable body, Start start0) throws InterruptedException {
    ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
    for (int i = 0; i < workers; i++) ex.submit(body);
    start0.run();
    long start = System.nanoTime();
    ex.shutdown();
    if (!ex.awaitTermination(maxSeconds, TimeUnit.SECONDS)) {
      ex.shutdownNow();
      ex.awaitTermination(30, TimeUnit.SECONDS);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) return "-";
    return v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
  }
}
