package org.securecmd.daemon.admin;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the admin socket file: parent directory created, a stale socket from a daemon that died replaced
 * (a live one is an error), mode 0660, and the admin group as its group when that group exists and the
 * daemon may give the file to it (it must be a member: {@code SupplementaryGroups=} in the unit).
 *
 * <p>The path appears with its final mode and group: the socket is bound under a temporary name in the same
 * directory (which the process umask keeps private meanwhile), its mode and group set, and then linked to its
 * real name; the temporary name is removed. A hard link rather than a rename because link(2) fails when the
 * name exists, so a daemon starting at the same moment as another can never replace the other's socket.
 */
final class AdminSocketFile {
  private static final Logger log = LoggerFactory.getLogger(AdminSocketFile.class);
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private AdminSocketFile() {}

  /** @throws IOException naming the path when it cannot be bound, or another process serves it */
  static ServerSocketChannel bind(Path path, String group, int backlog) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    removeStale(path);
    Path temp = path.resolveSibling("." + path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    removeStale(temp);
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.bind(UnixDomainSocketAddress.of(temp), backlog);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-rw----"));
      setGroup(temp, group, path);
      Files.createLink(path, temp);
      return ch;
    } catch (FileAlreadyExistsException e) {
      ch.close();
      throw new IOException("admin socket " + path + " is in use: is another securecmdd running?", e);
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot bind the admin socket " + path + ": " + e, e);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void removeStale(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & S_IFMT) != S_IFSOCK) {
      throw new IOException("admin socket " + path + " exists and is not a socket; check [admin] socket");
    }
    boolean live;
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      live = true;
    } catch (IOException nobodyListens) {
      live = false;
    }
    if (live) throw new IOException("admin socket " + path + " is in use: is another securecmdd running?");
    Files.delete(path); // a stale socket from a daemon that died
  }

  /** Gives {@code file} to {@code group}; warnings name {@code path}, the name the operator knows. */
  private static void setGroup(Path file, String group, Path path) throws IOException {
    GroupPrincipal principal;
    try {
      principal = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
    } catch (UserPrincipalNotFoundException e) {
      log.warn("admin group {} does not exist: only root can use the admin socket {}", group, path);
      return;
    }
    try {
      Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(principal);
    } catch (IOException e) {
      log.warn("cannot give the admin socket {} to group {} ({}); is the daemon's user a member of it?"
          + " Only root can use the socket until then", path, group, e.toString());
    }
  }
}
