package org.securecmd.daemon.server;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import org.securecmd.daemon.config.ListenAddress;

/** Binds {@code [server] listen} itself: used when the daemon is started by hand, without systemd. */
public record BoundListener(ListenAddress address) implements ListenerSource {
  /** Deep enough for a reconnect burst; the kernel caps it at net.core.somaxconn. */
  static final int BACKLOG = 4096;

  @Override
  public ServerSocketChannel open() throws IOException {
    ServerSocketChannel ch = ServerSocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.bind(address.toSocketAddress(), BACKLOG);
      return ch;
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "bound " + address;
  }
}
