package org.securecmd.daemon.systemd;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Adopts a passed AF_UNIX listening socket as a JDK channel without {@link System#inheritedChannel()},
 * so it works for any number of sockets, and without reflection: the JDK opens and binds a channel of
 * its own (to a throwaway path), its descriptor is found through {@code /proc}, and dup2(2) puts the
 * passed socket in its place. The channel then accepts on the passed socket; closing it closes that
 * socket and nothing else (stdio is untouched, unlike an inherited channel).
 *
 * <p>Every step is checked, by socket inode rather than by guessing descriptor numbers, so no other
 * descriptor of the process can be hit: the passed descriptor must be a listening AF_UNIX stream socket
 * ({@code /proc/net/unix}: flag __SO_ACCEPTCON, type SOCK_STREAM), the channel's descriptor is the one
 * whose link in {@code /proc/self/fd} names the inode its throwaway path has in {@code /proc/net/unix}.
 *
 * <p>Limit: the JDK's channel still reports the throwaway path from {@code getLocalAddress()}; callers
 * describe the socket by the name systemd gave it.
 */
final class InheritedUnixSocket {
  private static final Path PROC_NET_UNIX = Path.of("/proc/net/unix");
  /** __SO_ACCEPTCON in /proc/net/unix's Flags column: the socket listens. */
  private static final long ACCEPTCON = 0x10000;
  private static final int SOCK_STREAM = 1;

  private InheritedUnixSocket() {}

  /**
   * The listening AF_UNIX stream socket at {@code fd} as a blocking channel; the original descriptor is
   * closed.
   *
   * @throws IOException naming {@code fd} and what it is, when it is not a listening AF_UNIX stream
   *     socket, or a step fails (then {@code fd} is left open)
   */
  static ServerSocketChannel adopt(int fd) throws IOException {
    long inode = OwnDescriptors.socketInode(fd).orElseThrow(() -> new IOException("fd " + fd + " is not a socket"));
    Entry passed = unixSockets().stream().filter(e -> e.inode == inode).findFirst()
        .orElseThrow(() -> new IOException("fd " + fd + " is not an AF_UNIX socket"));
    if ((passed.flags & ACCEPTCON) == 0 || passed.type != SOCK_STREAM) {
      throw new IOException("fd " + fd + " is not a listening AF_UNIX stream socket");
    }
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    Path scratch = null;
    try {
      channel.bind(null, 1);  // the JDK picks a unique path in its temp directory
      scratch = ((UnixDomainSocketAddress) channel.getLocalAddress()).getPath();
      int own = descriptorOf(scratch);
      Libc.dup2(fd, own);
      if (OwnDescriptors.socketInode(own).orElse(-1L) != inode) {
        throw new IOException("dup2(" + fd + ", " + own + ") did not take effect");
      }
      Libc.close(fd);
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    } finally {
      if (scratch != null) Files.deleteIfExists(scratch);
    }
  }

  /** The descriptor of this process holding the socket bound to {@code path}. */
  private static int descriptorOf(Path path) throws IOException {
    String name = path.toString();
    List<Long> inodes = unixSockets().stream().filter(e -> e.path.equals(name)).map(e -> e.inode).toList();
    if (inodes.size() != 1) throw new IOException(name + ": " + inodes.size() + " sockets in " + PROC_NET_UNIX);
    List<Integer> fds = OwnDescriptors.referringTo(Set.of(inodes.getFirst()), -1);
    if (fds.size() != 1) throw new IOException(name + ": expected one descriptor, found " + fds);
    return fds.getFirst();
  }

  private record Entry(long flags, int type, long inode, String path) {}

  /** {@code Num RefCount Protocol Flags Type St Inode [Path]}, numbers in hex except the inode. */
  private static List<Entry> unixSockets() throws IOException {
    List<Entry> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(PROC_NET_UNIX);
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+", 8);
      if (f.length < 7) continue;
      out.add(new Entry(Long.parseLong(f[3], 16), Integer.parseInt(f[4], 16), Long.parseLong(f[6]),
          f.length > 7 ? f[7] : ""));
    }
    return out;
  }
}
