package org.securecmd.daemon.server;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;

/** Where the listening socket comes from: handed over by systemd, or bound from the config. */
public interface ListenerSource {
  /** The listening channel, in blocking mode. Called once. */
  ServerSocketChannel open() throws IOException;

  /** For status and logs, e.g. {@code "bound 0.0.0.0:5000"} or {@code "systemd fd 3 (securecmd.socket)"}. */
  String describe();

  /**
   * Closes the channel {@link #open} returned, ending the accept loop. A systemd socket overrides this:
   * closing an inherited channel the JDK's way would point stdin, stdout and stderr at /dev/null.
   */
  default void close(ServerSocketChannel channel) throws IOException {
    channel.close();
  }
}
