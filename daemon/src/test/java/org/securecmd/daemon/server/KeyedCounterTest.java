package org.securecmd.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeyedCounterTest {
  @Test
  void takesUpToTheCapPerKeyAndForgetsAKeyAtZero() {
    KeyedCounter<String> c = new KeyedCounter<>();
    assertTrue(c.tryAcquire("a", 2));
    assertTrue(c.tryAcquire("a", 2));
    assertFalse(c.tryAcquire("a", 2), "a third one over the cap of 2");
    assertTrue(c.tryAcquire("b", 2), "another key has its own count");
    assertEquals(2, c.count("a"));
    c.release("a");
    assertTrue(c.tryAcquire("a", 2), "a slot given back is taken again");
    c.release("a");
    c.release("a");
    c.release("b");
    assertEquals(0, c.count("a"));
    assertEquals(0, c.keys(), "no key is kept at zero");
  }

  @Test
  void concurrentTakersNeverExceedTheCap() throws Exception {
    KeyedCounter<String> c = new KeyedCounter<>();
    AtomicInteger taken = new AtomicInteger();
    try (ExecutorService ex = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 1000; i++) ex.submit(() -> { if (c.tryAcquire("k", 16)) taken.incrementAndGet(); });
      ex.shutdown();
      assertTrue(ex.awaitTermination(30, TimeUnit.SECONDS));
    }
    assertEquals(16, taken.get());
    assertEquals(16, c.count("k"));
  }
}
