package org.securecmd.daemon.server;

import java.io.IOException;
import java.net.Socket;

/**
 * Closes a TCP socket whose peer may still be sending. Closing with bytes unread makes the kernel send a
 * reset that can overtake what we wrote last (a TLS alert); so: stop writing, read and drop what comes for a
 * short, bounded while, then leave the close to the caller.
 */
final class LingeringClose {
  private static final int LINGER_MILLIS = 500;
  private static final int MAX_DRAINED = 64 * 1024;

  private LingeringClose() {}

  /** Shuts down output and drains input for at most {@value #LINGER_MILLIS} ms or 64 KiB; never throws. */
  static void drain(Socket raw) {
    try {
      raw.shutdownOutput();
      raw.setSoTimeout(LINGER_MILLIS);
      byte[] sink = new byte[1024];
      int total = 0;
      long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
      while (total < MAX_DRAINED && System.nanoTime() < deadline) {
        int n = raw.getInputStream().read(sink);
        if (n < 0) break;
        total += n;
      }
    } catch (IOException ignored) {
      // timeout or reset: either way we are done with this socket
    }
  }
}
