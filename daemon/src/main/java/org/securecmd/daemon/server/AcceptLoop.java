package org.securecmd.daemon.server;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of an accept thread, for the TLS listeners ({@link Server}) and the admin socket alike: accept,
 * hand the socket on, until the channel is closed or its owner is closing. A failed accept (EMFILE and
 * friends) is logged and followed by a short back-off, so the loop neither spins nor stops serving.
 *
 * <pre>{@code
 * threads.acceptLoop("accept " + description, new AcceptLoop(channel, description, () -> closing, this::admit))
 * }</pre>
 */
public final class AcceptLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(AcceptLoop.class);
  /** Long enough that a loop failing on every accept costs nothing, short enough to miss no burst. */
  private static final long BACK_OFF_MILLIS = 50;

  private final ServerSocketChannel channel;
  private final String description;
  private final BooleanSupplier closing;
  private final Consumer<SocketChannel> accepted;

  /**
   * @param description names the listener in the log line of a failed accept
   * @param closing read before every accept; true ends the loop
   * @param accepted takes each accepted socket (and closing it) on the accept thread: it must not block
   */
  public AcceptLoop(ServerSocketChannel channel, String description, BooleanSupplier closing,
                    Consumer<SocketChannel> accepted) {
    this.channel = channel;
    this.description = description;
    this.closing = closing;
    this.accepted = accepted;
  }

  @Override
  public void run() {
    while (!closing.getAsBoolean()) {
      SocketChannel ch;
      try {
        ch = channel.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.error("accept failed on {}: {}", description, e.toString());
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BACK_OFF_MILLIS));
        continue;
      }
      accepted.accept(ch);
    }
  }
}
