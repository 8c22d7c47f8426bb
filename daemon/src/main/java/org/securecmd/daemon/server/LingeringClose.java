package org.securecmd.daemon.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * Closes a socket whose peer may still be sending. Closing with bytes unread makes the kernel send a reset
 * that can overtake what we wrote last (a TLS alert, an {@code ERR} line), and a peer still writing sees
 * its write fail before it reads our last words; so: read and drop what comes for a bounded while, then
 * leave the close to the caller.
 */
final class LingeringClose {
  private static final int LINGER_MILLIS = 500;
  private static final int MAX_DRAINED = 64 * 1024;

  private LingeringClose() {}

  /** After a refused handshake: shuts down output, drains for at most 500 ms or 64 KiB; never throws. */
  static void drain(Socket raw) {
    try {
      raw.shutdownOutput();
      discard(raw, raw.getInputStream(), MAX_DRAINED, LINGER_MILLIS);
    } catch (IOException ignored) {
      // reset: we are done with this socket
    }
  }

  /**
   * Reads and drops from {@code in} (the TLS stream of {@code s}, or its raw one) until the end of the
   * stream, {@code maxBytes} or {@code millis}; never throws. Output stays open, for a close_notify.
   */
  static void discard(Socket s, InputStream in, int maxBytes, int millis) {
    try {
      byte[] sink = new byte[8192];
      int total = 0;
      long deadline = System.nanoTime() + millis * 1_000_000L;
      while (total < maxBytes) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) break;
        s.setSoTimeout((int) left);
        int n = in.read(sink);
        if (n < 0) break;
        total += n;
      }
    } catch (IOException ignored) {
      // timeout or reset: either way we are done with this socket
    }
  }
}
