package org.securecmd.daemon;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.securecmd.daemon.server.ListenerSource;
import org.securecmd.daemon.systemd.SocketActivation;

/**
 * The listening socket systemd passed under the name {@value #NAME} ({@code FileDescriptorName=main} in
 * securecmd.socket). Any other name is refused at startup with an explanation rather than left unserved.
 */
record SystemdListener(SocketActivation activation) implements ListenerSource {
  static final String NAME = "main";

  /**
   * The listener for this process: systemd's socket when {@code LISTEN_FDS} names one for us, else a bind of
   * {@code [server] listen} (the caller's fallback).
   *
   * @throws IOException when systemd passed sockets but not exactly one named {@value #NAME}
   */
  static java.util.Optional<SystemdListener> fromEnvironment(Map<String, String> env) throws IOException {
    SocketActivation activation;
    try {
      activation = SocketActivation.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw new IOException("systemd socket activation: " + e.getMessage(), e);
    }
    Set<String> names = activation.names();
    if (names.isEmpty()) return java.util.Optional.empty();
    if (!names.equals(Set.of(NAME))) {
      throw new IOException("systemd passed sockets named " + List.copyOf(names) + "; securecmdd serves exactly one,"
          + " named \"" + NAME + "\" (FileDescriptorName=" + NAME + " in securecmd.socket). The admin socket is"
          + " bound by the daemon from [admin] socket: the JDK adopts only one inherited socket per process");
    }
    return java.util.Optional.of(new SystemdListener(activation));
  }

  @Override
  public ServerSocketChannel open() throws IOException {
    return activation.adopt(NAME).orElseThrow(() -> new IOException("systemd socket \"" + NAME + "\" vanished"));
  }

  @Override
  public String describe() {
    return "systemd socket \"" + NAME + "\"";
  }

  @Override
  public void close(ServerSocketChannel channel) throws IOException {
    SocketActivation.closeKeepingStdio(channel);
  }
}
