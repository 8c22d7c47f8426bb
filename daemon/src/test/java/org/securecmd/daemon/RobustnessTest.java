package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every hostile peer of {@link HostilePeers} at once, while a well-behaved device keeps asking for its
 * secret: it gets every answer within its client timeout, and afterwards the daemon's connection threads
 * and file descriptors are back near where they started. Bounded in count and time; asserts no timing.
 */
class RobustnessTest {
  @TempDir Path dir;

  @Test
  void hostileCrowdLeavesWellBehavedClientServedAndResourcesReturnToBaseline() throws Exception {
    // The whole crowd comes from 127.0.0.1: the per-address handshake cap would refuse the well-behaved
    // client along with it (as it would behind one NAT address), so it is lifted here.
    String config = TestDaemon.config("", "").replace("[tls]",
        "max_requests_per_connection = 100000000\nmax_handshakes_per_address = 1000000\n[tls]");
    try (TestDaemon d = TestDaemon.start(dir, config)) {
      try (org.securecmd.client.Connection open = d.connect(d.device)) { // also warms up the first handshake
        assertEquals("THIS_IS_THE_SECRET", open.send("GET_SECRET").text());
        assertTrue(connectionThreads() >= 1, "the count sees a connection's virtual thread");
      }
      HostileInputTest.awaitOpenConnections(d, 0);
      long fdBaseline = openFds();
      long threadBaseline = connectionThreads();

      AtomicBoolean crowdDone = new AtomicBoolean();
      AtomicLong served = new AtomicLong();
      AtomicReference<Throwable> wellBehavedFailure = new AtomicReference<>();
      Thread device = Thread.ofPlatform().name("well-behaved").start(() -> {
        while (!crowdDone.get()) {
          try {
            // TestDaemon's client waits at most 5 s for connect, handshake and reply: that is the bound.
            assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
            served.incrementAndGet();
          } catch (Throwable e) {
            wellBehavedFailure.compareAndSet(null, e);
            return;
          }
        }
      });

      List<Future<?>> crowd = new ArrayList<>();
      try (ExecutorService ex = Executors.newFixedThreadPool(12)) {
        crowd.add(ex.submit(() -> { HostilePeers.megabyteWithoutNewline(d); return null; }));
        crowd.add(ex.submit(() -> { HostilePeers.nulAndInvalidUtf8(d); return null; }));
        crowd.add(ex.submit(() -> { HostilePeers.plaintext(d, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); return null; }));
        crowd.add(ex.submit(() -> { HostilePeers.plaintext(d, "GET_SECRET\n"); return null; }));
        crowd.add(ex.submit(() -> { for (long s = 1; s <= 20; s++) HostilePeers.randomClientHello(d, s); return null; }));
        crowd.add(ex.submit(() -> HostilePeers.legacyTlsClient(d)));
        crowd.add(ex.submit(() -> { HostilePeers.stall(d, false); return null; }));
        crowd.add(ex.submit(() -> { HostilePeers.stall(d, true); return null; }));
        crowd.add(ex.submit(() -> HostilePeers.requestsWithoutReadingReplies(d, () -> {})));
        crowd.add(ex.submit(() -> { HostilePeers.openAndDrop(d, 2000); return null; }));
        for (Future<?> f : crowd) f.get(120, TimeUnit.SECONDS);
      } finally {
        crowdDone.set(true);
        device.join(Duration.ofSeconds(30));
      }
      if (wellBehavedFailure.get() != null) throw new AssertionError("the well-behaved client failed after "
          + served.get() + " answers", wellBehavedFailure.get());
      assertTrue(served.get() >= 1, "the well-behaved client was served during the crowd");

      assertTrue(HostilePeers.await(() -> d.daemon.server().openConnections() == 0, Duration.ofSeconds(30)),
          "connections still open: " + d.daemon.server().registry().list());
      assertTrue(HostilePeers.await(() -> connectionThreads() <= threadBaseline, Duration.ofSeconds(30)),
          "conn-* threads: " + connectionThreads() + ", baseline " + threadBaseline);
      // Slack for descriptors the JDK opens lazily and keeps (e.g. the forked client's pipes, jar files).
      assertTrue(HostilePeers.await(() -> openFds() <= fdBaseline + 8, Duration.ofSeconds(30)),
          "open fds: " + openFds() + ", baseline " + fdBaseline);
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
    }
  }

  static long openFds() {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Threads named conn-*, virtual ones included (a JSON thread dump lists them; Thread.getAllStackTraces does not). */
  static long connectionThreads() {
    try {
      Path dump = Files.createTempFile("threads", ".json");
      Files.delete(dump);
      try {
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        String json = Files.readString(dump);
        return json.split("\"name\": \"conn-", -1).length - 1;
      } finally {
        Files.deleteIfExists(dump);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
