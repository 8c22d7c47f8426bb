package org.securecmd.daemon;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import org.securecmd.daemon.server.ListenerSource;
import org.securecmd.daemon.systemd.SocketActivation;

/** The TCP socket systemd passed under the name {@value SystemdSockets#MAIN}, as the server's listener. */
record SystemdListener(SocketActivation activation) implements ListenerSource {
  @Override
  public ServerSocketChannel open() throws IOException {
    return activation.adopt(SystemdSockets.MAIN)
        .orElseThrow(() -> new IOException("systemd socket \"" + SystemdSockets.MAIN + "\" vanished"));
  }

  @Override
  public String describe() {
    return "systemd socket \"" + SystemdSockets.MAIN + "\"";
  }

  @Override
  public void close(ServerSocketChannel channel) throws IOException {
    // An inherited channel's close would point stdin, stdout and stderr (the journal) at /dev/null.
    SocketActivation.closeKeepingStdio(channel);
  }
}
