package org.securecmd.daemon.systemd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Adopts a listening socket passed by systemd as a JDK {@link ServerSocketChannel}, so the
 * daemon accepts on it exactly as on a socket it bound itself (virtual threads included).
 *
 * <pre>{@code
 * SocketActivation activation = SocketActivation.fromEnvironment(System.getenv());
 * ServerSocketChannel listener = activation.adopt("main").orElseGet(...bind from config...);
 * ...
 * SocketActivation.closeKeepingStdio(listener);
 * }</pre>
 *
 * <h2>How</h2>
 * The JDK's only public way to turn a descriptor into a channel is
 * {@link System#inheritedChannel()}, which looks at descriptor 0 and returns a
 * {@code ServerSocketChannel} for a listening AF_INET, AF_INET6 or (since JDK 16) AF_UNIX stream
 * socket. So {@link #adopt} saves stdin with dup(2), moves the systemd descriptor onto 0 with
 * dup2(2), asks the JDK (which takes its own dup of 0), and puts stdin back. The alternatives
 * need JDK internals ({@code sun.nio.ch}, {@code FileDescriptor}'s private field,
 * {@code --add-opens}) or give up JDK channels (an FFM accept loop yields raw descriptors that
 * no public JDK API can wrap), so they were rejected.
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li><b>One socket per process.</b> The JDK computes the inherited channel once and caches
 *       it, so only the first {@link #adopt} can succeed; a second one throws. An AF_UNIX
 *       listening socket can instead be adopted with {@link #adoptUnix}, which does not go through
 *       the inherited channel and works for any number of sockets; securecmd uses it for the admin
 *       socket. Sockets nobody adopts should be refused at startup (check {@link #names()}) rather
 *       than left with nobody accepting on them.
 *   <li>Nothing else in the process may call {@link System#inheritedChannel()} before
 *       {@link #adopt}: the JDK would cache the answer for the real stdin (usually
 *       {@code null}), and adopt then fails with a message saying so.
 *   <li><b>Closing.</b> The JDK's inherited channels, on close, point descriptors 0, 1 and 2 at
 *       /dev/null (inetd heritage: there stdio <em>is</em> the socket). Under systemd stdout and
 *       stderr are the journal, so close an adopted channel with {@link #closeKeepingStdio},
 *       and stop its accept loop by that close, not by interrupting the thread (an interrupt
 *       closes the channel through the JDK and loses stdio).
 *   <li>The {@code LISTEN_*} variables stay in the environment (Java cannot unset them); the
 *       daemon starts no children, and {@code LISTEN_PID} would not match theirs anyway.
 * </ul>
 */
public final class SocketActivation {
  /**
   * Mirrors the JDK's process-wide cache of the inherited channel: static because the state it
   * guards is static in the JDK, not ours to scope.
   */
  private static final AtomicBoolean INHERITED_CHANNEL_USED = new AtomicBoolean();

  private static final int STDIN = 0;

  private final Map<String, List<Integer>> fds;

  /** Not socket-activated: no names, nothing to adopt. */
  public static final SocketActivation NONE = new SocketActivation(Map.of());

  SocketActivation(Map<String, List<Integer>> fds) {
    this.fds = Collections.unmodifiableMap(new LinkedHashMap<>(fds));  // keeps systemd's order
  }

  /**
   * Links the libc calls (FFM downcalls) that {@link #adopt} and sd_notify make, ahead of their first use:
   * FFM generates classes for its first downcalls at run time (about 0.15 s on a cold start, and no startup
   * archive holds them), which a start-up thread can do while the configuration is read.
   */
  public static void linkDowncalls() {
    Libc.link();
  }

  /** Reads {@code LISTEN_*} from {@code env} for this process; see {@link ListenFds#parse}. */
  public static SocketActivation fromEnvironment(Map<String, String> env) {
    return new SocketActivation(ListenFds.parse(env, ProcessHandle.current().pid()));
  }

  /**
   * Names of the sockets systemd passed, in descriptor order; empty when the daemon was not
   * socket-activated.
   */
  public Set<String> names() {
    return fds.keySet();
  }

  /**
   * The listening socket systemd passed under {@code name}, as a blocking channel; empty when
   * no socket has that name. The channel owns the socket: the original descriptor is closed.
   *
   * @throws IllegalStateException if a socket was already adopted in this process, or several
   *     sockets share {@code name}
   * @throws IOException if the descriptor is not a listening stream socket, or a libc call fails
   */
  public Optional<ServerSocketChannel> adopt(String name) throws IOException {
    List<Integer> named = fds.get(name);
    if (named == null) return Optional.empty();
    if (named.size() != 1) {
      throw new IllegalStateException("systemd passed " + named.size() + " sockets named \""
          + name + "\" (fds " + named + "); only one can be adopted");
    }
    int fd = named.getFirst();
    if (!INHERITED_CHANNEL_USED.compareAndSet(false, true)) {
      throw new IllegalStateException("cannot adopt socket \"" + name + "\" (fd " + fd
          + "): the JDK turns only one inherited socket per process into a channel,"
          + " and one was already adopted; bind this one from the configuration instead");
    }
    Channel channel = inherit(fd);
    if (channel instanceof ServerSocketChannel listener) {
      Libc.close(fd);
      return Optional.of(listener);
    }
    if (channel != null) closeKeepingStdio(channel);
    throw new IOException("socket \"" + name + "\" (fd " + fd + ") is not a listening stream"
        + " socket (" + (channel == null ? "not a socket, or System.inheritedChannel() was"
        + " called earlier in this process" : channel.getClass().getSimpleName()) + ")");
  }

  /**
   * The listening AF_UNIX socket systemd passed under {@code name}, adopted without
   * {@link System#inheritedChannel()} (see {@link InheritedUnixSocket}), so it does not count against
   * the one-socket limit of {@link #adopt}; empty when no socket has that name. The channel owns the
   * socket (the original descriptor is closed), and closing it leaves stdio alone.
   *
   * @throws IllegalStateException if several sockets share {@code name}
   * @throws IOException if the descriptor is not a listening AF_UNIX stream socket
   */
  public Optional<ServerSocketChannel> adoptUnix(String name) throws IOException {
    List<Integer> named = fds.get(name);
    if (named == null) return Optional.empty();
    if (named.size() != 1) {
      throw new IllegalStateException("systemd passed " + named.size() + " sockets named \""
          + name + "\" (fds " + named + "); only one can be adopted");
    }
    try {
      return Optional.of(InheritedUnixSocket.adopt(named.getFirst()));
    } catch (IOException e) {
      throw new IOException("socket \"" + name + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Puts the listening TCP socket systemd passed under {@code name} in place of the socket this process
   * listens on at {@code bound} (see {@link InheritedTcpSocket}), for a server that binds its own socket
   * and cannot take one; call it before that server starts. Does not count against {@link #adopt}'s limit.
   *
   * @return false, changing nothing, when systemd passed no socket of that name
   * @throws IllegalStateException if several sockets share {@code name}
   * @throws IOException if the descriptor is not a listening TCP socket, or the swap fails
   */
  public boolean replaceTcp(String name, InetSocketAddress bound) throws IOException {
    List<Integer> named = fds.get(name);
    if (named == null) return false;
    if (named.size() != 1) {
      throw new IllegalStateException("systemd passed " + named.size() + " sockets named \""
          + name + "\" (fds " + named + "); only one can be adopted");
    }
    try {
      InheritedTcpSocket.replace(named.getFirst(), bound);
      return true;
    } catch (IOException e) {
      throw new IOException("socket \"" + name + "\": " + e.getMessage(), e);
    }
  }

  private static Channel inherit(int fd) throws IOException {
    int savedStdin = Libc.dup(STDIN);
    try {
      Libc.dup2(fd, STDIN);
      return System.inheritedChannel();
    } finally {
      Libc.dup2(savedStdin, STDIN);
      Libc.close(savedStdin);
    }
  }

  /**
   * Closes {@code channel} and then restores descriptors 0, 1 and 2, which the JDK points at
   * /dev/null when it closes an inherited channel. Output written by other threads during the
   * close itself may still be lost; call this at shutdown, not in a hot path.
   */
  public static void closeKeepingStdio(Channel channel) throws IOException {
    synchronized (SocketActivation.class) {
      int[] saved = {Libc.dup(0), Libc.dup(1), Libc.dup(2)};
      try {
        channel.close();
      } finally {
        for (int i = 0; i < saved.length; i++) {
          Libc.dup2(saved[i], i);
          Libc.close(saved[i]);
        }
      }
    }
  }
}
