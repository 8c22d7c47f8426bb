package org.securecmd.daemon.systemd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Puts a passed listening TCP socket in place of one this process bound itself, for servers that bind
 * their own socket and take none (the JDK's HTTP server): the server binds a throwaway loopback port, its
 * descriptor is found through {@code /proc}, and dup2(2) puts the passed socket under that number. Same
 * idea and same checks as {@link InheritedUnixSocket}, by socket inode, never by guessing descriptors.
 *
 * <p>The open file's status flags (O_NONBLOCK) are the server's choice, made on its own socket before the
 * swap, so they are copied onto the passed socket first. The swap must happen before the server first
 * waits on the socket (its selector registers the descriptor then), i.e. before it is started.
 *
 * <p>Limit: the server still reports the throwaway address as its own; callers describe the socket by the
 * name systemd gave it.
 */
final class InheritedTcpSocket {
  private static final List<Path> PROC_NET_TCP = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
  private static final String LISTEN = "0A";

  private InheritedTcpSocket() {}

  /**
   * Makes the descriptor of this process's socket listening on {@code bound}'s port refer to the
   * listening TCP socket at {@code fd}, then closes {@code fd}.
   *
   * @throws IOException naming {@code fd} when it is not a listening TCP socket, or no single descriptor of
   *     this process listens on that port (then nothing was changed)
   */
  static void replace(int fd, InetSocketAddress bound) throws IOException {
    long inode = OwnDescriptors.socketInode(fd).orElseThrow(() -> new IOException("fd " + fd + " is not a socket"));
    if (!listeningInodes(-1).contains(inode)) {
      throw new IOException("fd " + fd + " is not a listening TCP socket (ListenStream= with an address:port)");
    }
    Set<Long> ours = listeningInodes(bound.getPort());
    List<Integer> fds = OwnDescriptors.referringTo(ours, fd);
    if (fds.size() != 1) throw new IOException(bound + ": expected one listening descriptor, found " + fds);
    int own = fds.getFirst();
    Libc.setStatusFlags(fd, Libc.statusFlags(own));
    Libc.dup2(fd, own);
    if (OwnDescriptors.socketInode(own).orElse(-1L) != inode) throw new IOException("dup2(" + fd + ", " + own + ") did not take effect");
    Libc.close(fd);
  }

  /** Inodes of listening TCP sockets (IPv4 and IPv6) on {@code port}, or on any port when it is -1. */
  private static Set<Long> listeningInodes(int port) throws IOException {
    Set<Long> out = new HashSet<>();
    for (Path table : PROC_NET_TCP) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table);
      } catch (NoSuchFileException e) {
        continue;  // no IPv6 in this kernel
      }
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !f[3].equals(LISTEN)) continue;
        String local = f[1];
        int localPort = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
        if (port == -1 || localPort == port) out.add(Long.parseLong(f[9]));
      }
    }
    return out;
  }
}
