package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.admin.Json;
import org.securecmd.daemon.proxy.ProxyHeaders;

/**
 * Two daemons ({@link HaproxyFleet}), each its own JVM (so one can be killed with SIGKILL), behind a real HAProxy running the
 * shipped {@code etc/haproxy/securecmd.cfg}, on loopback with free ports. Devices connect through HAProxy
 * from their own loopback addresses (127.0.0.2, 127.0.0.10..., bound by the client socket), so the address
 * a daemon audits can only have come from the PROXY v2 header. The kill test runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaproxyFleetTest {
  private static final Duration BOUND = HaproxyFleet.BOUND;
  private static final int WORKERS = 6;
  /** Requests before the kill, and after HAProxy took the daemon out; at most MAX_REQUESTS in all. */
  private static final int BEFORE_KILL = 150;
  private static final int AFTER_DOWN = 150;
  private static final int MAX_REQUESTS = 3000;

  private HaproxyFleet fleet;
  private List<DaemonProcess> daemons;
  private List<Integer> daemonPorts;

  @BeforeAll
  void startFleet(@TempDir Path tmp) throws Exception {
    fleet = HaproxyFleet.start(tmp, 2);
    daemons = fleet.daemons;
    daemonPorts = fleet.daemonPorts;
  }

  @AfterAll
  void stopFleet() {
    if (fleet != null) fleet.close();
  }

  @Test
  @Order(1)
  void healthChecksAreCountedAndNeverLoggedAsFailures() throws Exception {
    for (int i = 0; i < 2; i++) {
      int daemon = i;
      assertTrue(HostilePeers.await(() -> healthChecks(daemon) >= 2, BOUND),
          "daemon" + (i + 1) + " counted HAProxy's checks; output:\n" + daemons.get(i).output());
      String out = daemons.get(i).output();
      assertTrue(!out.contains("handshake-refused") && !out.contains("proxy-refused"), out);
    }
    assertTrue(!fleet.haproxy().output().contains(" is DOWN"), fleet.haproxy().output());
  }

  @Test
  @Order(2)
  void aDevicesOwnAddressIsInTheAuditLineOfTheDaemonThatServedIt() throws Exception {
    int localPort;
    try (SSLSocket s = fleet.throughBalancer("127.0.0.2")) {
      localPort = s.getLocalPort();
      assertTrue(HaproxyFleet.request(s, "WHOAMI").contains("trusted-client"));
    }
    String expected = "remote=127.0.0.2:" + localPort + " verb=WHOAMI result=OK";
    assertTrue(HostilePeers.await(() -> daemons.stream().anyMatch(d -> d.output().contains(expected)), BOUND),
        "an audit line with " + expected + "; daemon1:\n" + daemons.get(0).output() + "\ndaemon2:\n"
            + daemons.get(1).output());
    assertEquals(1, daemons.stream().filter(d -> d.output().contains(expected)).count(), "one daemon served it");
  }

  @Test
  @Order(3)
  void aHeaderFromAnUnlistedAddressIsRefused() throws Exception {
    try (Socket s = HaproxyFleet.plain("127.0.0.2", daemonPorts.get(0))) {
      s.getOutputStream().write(ProxyHeaders.proxy(new InetSocketAddress("192.0.2.99", 1234),
          new InetSocketAddress("127.0.0.1", daemonPorts.get(0))));
      assertEquals(-1, HostileInputTest.readOrEof(s.getInputStream()));
    }
    awaitLine(0, "proxy-refused", "a PROXY v2 header from 127.0.0.2, not listed in [server] proxy_protocol");
    assertTrue(!daemons.get(0).output().contains("192.0.2.99"), "the claimed address is never taken");
  }

  @Test
  @Order(4)
  void aMissingHeaderFromAListedAddressIsRefused() throws Exception {
    try (Socket s = HaproxyFleet.plain("127.0.0.1", daemonPorts.get(0))) {
      try {
        fleet.tls(s, daemonPorts.get(0), fleet.device).close();
        throw new AssertionError("a handshake without a PROXY header from the balancer's address completed");
      } catch (IOException expected) {
        // refused before TLS
      }
    }
    awaitLine(0, "proxy-refused", "no PROXY v2 header: the connection starts with a TLS record");
  }

  @Test
  @Order(5)
  void killingOneDaemonUnderLoadFailsOnlyRequestsInFlightAndTheLoadRecovers() throws Exception {
    AtomicInteger done = new AtomicInteger();
    AtomicLong killedAt = new AtomicLong(-1);
    List<Integer> failedAt = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Integer> servedAfterDown = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicLong downAt = new AtomicLong(-1);
    AtomicInteger stopAt = new AtomicInteger(MAX_REQUESTS);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos(); // the time bound of the load
    try (ExecutorService pool = Executors.newFixedThreadPool(WORKERS)) {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        String from = "127.0.0." + (10 + w);
        workers.add(pool.submit(() -> {
          while (System.nanoTime() < deadline) {
            int n = done.getAndIncrement();
            if (n >= stopAt.get()) return null;
            try (SSLSocket s = fleet.throughBalancer(from)) {
              assertEquals("THIS_IS_THE_SECRET", HaproxyFleet.request(s, "GET_SECRET"));
              if (downAt.get() >= 0) servedAfterDown.add(n);
            } catch (IOException | AssertionError e) {
              failedAt.add(n);
              System.out.println("request #" + n + " from " + from + " failed: " + e);
            }
          }
          return null;
        }));
      }
      // kill -9 daemon1 once a third of the load is done and it has served some of it
      assertTrue(HostilePeers.await(() -> done.get() >= BEFORE_KILL, BOUND), "load started");
      assertTrue(daemons.get(0).output().contains("verb=GET_SECRET"), "daemon1 took part before the kill");
      killedAt.set(done.get());
      new ProcessBuilder("kill", "-9", Long.toString(daemons.get(0).process().pid())).start().waitFor();
      assertTrue(HostilePeers.await(() -> fleet.haproxy().output().contains("securecmd_daemons/daemon1 is DOWN"), BOUND),
          "HAProxy marked daemon1 down:\n" + fleet.haproxy().output());
      downAt.set(done.get());
      stopAt.set((int) downAt.get() + AFTER_DOWN);
      for (Future<?> f : workers) f.get(150, TimeUnit.SECONDS);
    }
    System.out.printf("HAProxy fleet: %d requests, daemon1 killed at #%d, marked down by HAProxy at #%d; "
        + "%d failed (at %s)%n", Math.min(done.get(), stopAt.get()), killedAt.get(), downAt.get(),
        failedAt.size(), failedAt);
    assertTrue(failedAt.size() <= WORKERS, "only requests in flight on the killed daemon may fail (at most one per "
        + "worker): " + failedAt.size() + " failed at " + failedAt);
    assertTrue(failedAt.stream().allMatch(n -> n >= killedAt.get() - WORKERS),
        "no failure before the kill: " + failedAt + ", kill at #" + killedAt.get());
    assertTrue(stopAt.get() < MAX_REQUESTS && servedAfterDown.size() >= AFTER_DOWN - WORKERS,
        "the load went on after HAProxy took daemon1 out: " + servedAfterDown.size() + " served");
    assertEquals(List.of(), failedAt.stream().filter(n -> n > downAt.get() + WORKERS).toList(),
        "the load recovered: no failure once HAProxy had taken daemon1 out");
  }

  private long healthChecks(int daemon) {
    Ctl.Result r = fleet.ctl(daemon).run("--json", "metrics");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(r.out().strip());
    Matcher x = Pattern.compile("\nsecurecmd_proxy_health_checks_total (\\d+)\n").matcher(String.valueOf(m.get("text")));
    return x.find() ? Long.parseLong(x.group(1)) : -1;
  }

  private void awaitLine(int daemon, String kind, String text) throws InterruptedException {
    assertTrue(HostilePeers.await(() -> daemons.get(daemon).output().lines()
            .anyMatch(l -> l.contains(kind + " ") && l.contains(text)), BOUND),
        "daemon" + (daemon + 1) + " logged " + kind + " with \"" + text + "\":\n" + daemons.get(daemon).output());
  }
}
