package org.securecmd.daemon.server;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The threads one listener runs on, made by the composition root (which decides names, kinds and
 * shutdown in one place): a platform thread for its accept loop (it keeps refusing fast even when every
 * carrier thread is busy), one thread per connection, and a timer for deadlines. The listener closes
 * the timer when it closes.
 *
 * <pre>{@code
 * new Threads(Thread.ofPlatform().factory(), Thread.ofVirtual().factory(), scheduler)   // as a test would
 * }</pre>
 */
public record Threads(ThreadFactory acceptor, ThreadFactory connections, ScheduledExecutorService timer) {
  /** A new, unstarted accept-loop thread named {@code name}. */
  public Thread acceptLoop(String name, Runnable loop) {
    Thread t = acceptor.newThread(loop);
    t.setName(name);
    return t;
  }
}
