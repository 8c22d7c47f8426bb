package org.securecmd.daemon.server;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The buffers TLS records are sealed into before they are written, shared by a listener's connections.
 * {@code SSLEngine.wrap} wants room for a whole record (about 16.7 KiB) whatever it seals, so each write
 * borrows one for as long as it runs ({@link TlsChannel#wrap}) and an idle connection holds none; a few are
 * kept for the next writes, more are left to the collector.
 */
final class WrapBuffers {
  /** Enough for the writes that run at once on a few carriers, a handful blocked on slow peers among them. */
  private static final int KEPT = 32;

  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger kept = new AtomicInteger();

  /** A cleared buffer of at least {@code capacity} bytes. */
  ByteBuffer take(int capacity) {
    ByteBuffer b;
    while ((b = free.poll()) != null) {
      kept.decrementAndGet();
      if (b.capacity() >= capacity) return b.clear();
      // smaller than a session that negotiated larger records needs: dropped
    }
    return ByteBuffer.allocate(capacity);
  }

  void give(ByteBuffer b) {
    if (kept.incrementAndGet() <= KEPT) {
      free.offer(b);
    } else {
      kept.decrementAndGet();
    }
  }
}
