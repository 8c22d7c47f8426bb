package org.securecmd.daemon.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adoption of raw AF_UNIX listening descriptors (made here with socket/bind/listen, as systemd does). */
class InheritedUnixSocketTest {
  private static final int SOCK_STREAM = 1;
  private static final int AF_INET = 2;
  private static final MethodHandle BIND = Libc.handle("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle LISTEN = Libc.handle("listen", JAVA_INT, JAVA_INT, JAVA_INT);

  @TempDir Path dir;

  @Test
  void adoptedSocketAcceptsAndTheOriginalDescriptorIsClosed() throws Exception {
    Path path = dir.resolve("a.sock");
    int fd = unixSocket(path, true);
    try (ServerSocketChannel channel = InheritedUnixSocket.adopt(fd)) {
      assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd)), "original descriptor closed");
      Thread.ofVirtual().start(() -> {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
          c.write(ByteBuffer.wrap("hello\n".getBytes(UTF_8)));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      try (SocketChannel accepted = channel.accept()) {
        ByteBuffer b = ByteBuffer.allocate(16);
        while (accepted.read(b) > 0) { /* until EOF */ }
        assertEquals("hello\n", new String(b.array(), 0, b.position(), UTF_8));
      }
      assertTrue(Files.exists(path), "the passed socket's path is untouched");
      try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
        String local = String.valueOf(channel.getLocalAddress());
        assertTrue(tmp.noneMatch(p -> p.toString().equals(local)), "throwaway path removed: " + local);
      }
    }
  }

  @Test
  void twoSocketsCanBeAdopted() throws Exception {
    int a = unixSocket(dir.resolve("a.sock"), true);
    int b = unixSocket(dir.resolve("b.sock"), true);
    try (ServerSocketChannel first = InheritedUnixSocket.adopt(a);
         ServerSocketChannel second = InheritedUnixSocket.adopt(b)) {
      assertTrue(first.isOpen() && second.isOpen());
      try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("b.sock")));
           SocketChannel accepted = second.accept()) {
        assertTrue(accepted.isConnected());
      }
    }
  }

  @Test
  void nonListeningUnixSocketIsRefusedAndLeftOpen() throws Exception {
    int fd = unixSocket(dir.resolve("c.sock"), false);
    try {
      IOException e = assertThrows(IOException.class, () -> InheritedUnixSocket.adopt(fd));
      assertEquals("fd " + fd + " is not a listening AF_UNIX stream socket", e.getMessage());
      assertTrue(Files.exists(Path.of("/proc/self/fd/" + fd)));
    } finally {
      Libc.close(fd);
    }
  }

  @Test
  void tcpSocketIsRefused() throws Exception {
    int fd = Libc.socket(AF_INET, SOCK_STREAM | Libc.SOCK_CLOEXEC);
    try {
      IOException e = assertThrows(IOException.class, () -> InheritedUnixSocket.adopt(fd));
      assertEquals("fd " + fd + " is not an AF_UNIX socket", e.getMessage());
    } finally {
      Libc.close(fd);
    }
  }

  @Test
  void fileIsRefused() throws Exception {
    Path file = Files.createFile(dir.resolve("plain"));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int fd = descriptorLinkingTo(file);
      IOException e = assertThrows(IOException.class, () -> InheritedUnixSocket.adopt(fd));
      assertEquals("fd " + fd + " is not a socket", e.getMessage());
      assertTrue(ch.isOpen());
    }
  }

  private static int descriptorLinkingTo(Path file) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path p : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readSymbolicLink(p).equals(file)) return Integer.parseInt(p.getFileName().toString());
        } catch (IOException gone) {
          // the listing's own descriptor
        }
      }
    }
    throw new IOException("no descriptor for " + file);
  }

  /** A raw AF_UNIX stream socket bound to {@code path}, listening if asked: what systemd passes. */
  private static int unixSocket(Path path, boolean listen) throws IOException {
    int fd = Libc.socket(Libc.AF_UNIX, SOCK_STREAM | Libc.SOCK_CLOEXEC);
    try (Arena arena = Arena.ofConfined()) {
      byte[] name = path.toString().getBytes(UTF_8);
      MemorySegment sockaddr = arena.allocate(110);
      sockaddr.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
      MemorySegment.copy(name, 0, sockaddr, JAVA_BYTE, 2, name.length);
      Libc.call("bind", BIND, fd, sockaddr, 110);
      if (listen) Libc.call("listen", LISTEN, fd, 16);
      return fd;
    } catch (IOException | RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
  }
}
