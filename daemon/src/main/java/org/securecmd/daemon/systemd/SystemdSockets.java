package org.securecmd.daemon.systemd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sockets systemd passed, by {@code FileDescriptorName=}: {@value #MAIN} (TCP, the listener) and
 * optionally {@value #ADMIN} (the admin UNIX socket) and {@value #METRICS} (TCP, the Prometheus endpoint).
 * Any other name is refused at startup with an explanation rather than left with nobody accepting on it.
 *
 * <p>The main socket goes through {@code System.inheritedChannel()}, the JDK's one public route, which
 * works once per process; the admin socket is adopted by {@link SocketActivation#adoptUnix}, which binds a
 * JDK channel of its own and puts the passed socket under it with dup2(2); the metrics socket goes the same
 * way under the socket the JDK's HTTP server bound for itself ({@link SocketActivation#replaceTcp}).
 */
public record SystemdSockets(SocketActivation activation) {
  public static final String MAIN = "main";
  public static final String ADMIN = "admin";
  public static final String METRICS = "metrics";
  /** No sockets passed: the daemon binds its own. */
  public static final SystemdSockets NONE = new SystemdSockets(SocketActivation.NONE);

  /** Puts a passed TCP socket under the one a server bound for itself at {@code bound}. */
  @FunctionalInterface
  public interface Replacement {
    void replace(InetSocketAddress bound) throws IOException;
  }

  /**
   * @throws IOException when the {@code LISTEN_*} variables are malformed, or name sockets other than
   *     {@value #MAIN}, {@value #ADMIN} and {@value #METRICS}
   */
  public static SystemdSockets fromEnvironment(Map<String, String> env) throws IOException {
    SocketActivation activation;
    try {
      activation = SocketActivation.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw new IOException("systemd socket activation: " + e.getMessage(), e);
    }
    if (!Set.of(MAIN, ADMIN, METRICS).containsAll(activation.names())) {
      throw new IOException("systemd passed sockets named " + List.copyOf(activation.names())
          + "; securecmdd serves only \"" + MAIN + "\" (TCP), \"" + ADMIN + "\" (the admin UNIX socket) and \""
          + METRICS + "\" (TCP, the Prometheus endpoint): set FileDescriptorName= accordingly in securecmd.socket");
    }
    return new SystemdSockets(activation);
  }

  /** How status and logs name the socket systemd passed under {@code name}. */
  public static String describe(String name) {
    return "systemd socket \"" + name + "\"";
  }

  /** The listener systemd passed, or empty when the daemon should bind {@code [server] listen} itself. */
  public Optional<SystemdListener> listener() {
    return activation.names().contains(MAIN) ? Optional.of(new SystemdListener(activation)) : Optional.empty();
  }

  /** systemd's {@value #METRICS} socket, when it passed one (then it is served whatever the config says). */
  public Optional<Replacement> metricsSocket() {
    if (!activation.names().contains(METRICS)) return Optional.empty();
    return Optional.of(bound -> activation.replaceTcp(METRICS, bound));
  }

  /** The admin socket systemd passed, or empty when the daemon should bind {@code [admin] socket} itself. */
  public Optional<ServerSocketChannel> adminSocket() throws IOException {
    return activation.adoptUnix(ADMIN);
  }
}
