package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A SIGHUP while the daemon starts is not lost: systemd may send one right after READY=1, before the start
 * has returned (the start's last steps, the status, the watchdog and the startup line, come after READY=1),
 * where the daemon used to drop it as "still starting".
 */
class ReloadSignalTest {
  private final AtomicInteger reloads = new AtomicInteger();

  @Test
  void aSignalWhileStartingReloadsOnceStarted() {
    ReloadSignal hup = new ReloadSignal();
    hup.signalled();
    assertEquals(0, reloads.get(), "nothing to reload before the start");
    hup.started(reloads::incrementAndGet);
    assertEquals(1, reloads.get());
  }

  @Test
  void signalsWhileStartingAreOneReload() {
    ReloadSignal hup = new ReloadSignal();
    hup.signalled();
    hup.signalled();
    hup.started(reloads::incrementAndGet);
    assertEquals(1, reloads.get(), "the reload reads the file as it is then: once is enough");
  }

  @Test
  void noSignalNoReload() {
    ReloadSignal hup = new ReloadSignal();
    hup.started(reloads::incrementAndGet);
    assertEquals(0, reloads.get());
  }

  @Test
  void aSignalAfterTheStartReloadsAtOnceEachTime() {
    ReloadSignal hup = new ReloadSignal();
    hup.started(reloads::incrementAndGet);
    hup.signalled();
    hup.signalled();
    assertEquals(2, reloads.get());
  }

  @Test
  void aSignalRacingTheStartIsNeverLost() throws Exception {
    for (int round = 0; round < 500; round++) {
      ReloadSignal hup = new ReloadSignal();
      AtomicInteger n = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      threads.add(Thread.ofPlatform().start(() -> {
        await(go);
        hup.signalled();
      }));
      threads.add(Thread.ofPlatform().start(() -> {
        await(go);
        hup.started(n::incrementAndGet);
      }));
      go.countDown();
      for (Thread t : threads) assertTrue(t.join(java.time.Duration.ofSeconds(10)), "a thread did not finish");
      assertEquals(1, n.get(), "round " + round + ": the signal must give exactly one reload");
    }
  }

  private static void await(CountDownLatch go) {
    try {
      assertTrue(go.await(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
