package org.securecmd.daemon.systemd;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;

/**
 * The TCP socket systemd passed under the name {@value SystemdSockets#MAIN}, for the daemon's listener. It has
 * the shape of the server's listener source without naming it (this package knows nothing else about
 * securecmd): the composition root adapts it.
 */
public record SystemdListener(SocketActivation activation) {
  /** The adopted channel, in blocking mode; called once. */
  public ServerSocketChannel open() throws IOException {
    return activation.adopt(SystemdSockets.MAIN)
        .orElseThrow(() -> new IOException(describe() + " vanished"));
  }

  public String describe() {
    return SystemdSockets.describe(SystemdSockets.MAIN);
  }

  /** Closes the channel {@link #open} returned. */
  public void close(ServerSocketChannel channel) throws IOException {
    // An inherited channel's close would point stdin, stdout and stderr (the journal) at /dev/null.
    SocketActivation.closeKeepingStdio(channel);
  }
}
