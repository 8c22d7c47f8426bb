package org.securecmd.daemon.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * This process's descriptors as {@code /proc/self/fd} shows them: which socket inode a descriptor refers to,
 * and which descriptors refer to given inodes. {@link InheritedUnixSocket} and {@link InheritedTcpSocket}
 * find and check every descriptor they touch this way, by inode rather than by guessing numbers.
 */
final class OwnDescriptors {
  private static final Path PROC_FDS = Path.of("/proc/self/fd");

  private OwnDescriptors() {}

  /** The socket inode {@code /proc/self/fd/FD} links to ({@code socket:[INODE]}), or empty. */
  static Optional<Long> socketInode(int fd) {
    try {
      String target = Files.readSymbolicLink(PROC_FDS.resolve(Integer.toString(fd))).toString();
      if (!target.startsWith("socket:[") || !target.endsWith("]")) return Optional.empty();
      return Optional.of(Long.parseLong(target.substring(8, target.length() - 1)));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();  // closed meanwhile (the listing's own descriptor), or not a socket
    }
  }

  /** The descriptors, other than {@code except}, that refer to one of {@code inodes}, in listing order. */
  static List<Integer> referringTo(Set<Long> inodes, int except) throws IOException {
    List<Integer> fds = new ArrayList<>();
    try (Stream<Path> entries = Files.list(PROC_FDS)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        int fd = Integer.parseInt(entry.getFileName().toString());
        if (fd != except && socketInode(fd).map(inodes::contains).orElse(false)) fds.add(fd);
      }
    }
    return fds;
  }
}
