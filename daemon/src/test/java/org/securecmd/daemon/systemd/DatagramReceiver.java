package org.securecmd.daemon.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;

/**
 * The receiving end of sd_notify for tests: a bound AF_UNIX datagram socket, what systemd
 * itself holds. The JDK has no AF_UNIX datagrams, so this uses FFM like the code under test.
 */
public final class DatagramReceiver implements AutoCloseable {
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final MethodHandle BIND = Libc.handle("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle SETSOCKOPT =
      Libc.handle("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle RECV =
      Libc.handle("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);

  private final int fd;

  /** Binds {@code address} (a path or an {@code @abstract} name); receives wait at most {@code timeout}. */
  public DatagramReceiver(String address, Duration timeout) throws IOException {
    fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment sockaddr = sockaddr(arena, address);
      Libc.call("bind " + address, BIND, fd, sockaddr, (int) sockaddr.byteSize());
      MemorySegment timeval = arena.allocate(JAVA_LONG, 2);
      timeval.setAtIndex(JAVA_LONG, 0, timeout.toSeconds());
      timeval.setAtIndex(JAVA_LONG, 1, timeout.toMillisPart() * 1000L);
      Libc.call("setsockopt", SETSOCKOPT, fd, SOL_SOCKET, SO_RCVTIMEO, timeval,
          (int) timeval.byteSize());
    } catch (IOException | RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
  }

  /**
   * Encoded independently of {@link SdNotifier#sockaddr}, the way C code usually does it, so a
   * round trip does not just agree with itself: a path gets the full zeroed 110-byte struct, an
   * abstract name exactly its bytes after the leading NUL.
   */
  private static MemorySegment sockaddr(Arena arena, String address) {
    byte[] bytes = address.getBytes(UTF_8);
    boolean isAbstract = bytes[0] == '@';
    MemorySegment sockaddr = arena.allocate(isAbstract ? 2 + bytes.length : 110);
    sockaddr.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
    MemorySegment.copy(bytes, isAbstract ? 1 : 0, sockaddr, JAVA_BYTE, isAbstract ? 3 : 2,
        isAbstract ? bytes.length - 1 : bytes.length);
    return sockaddr;
  }

  /** The next datagram's exact bytes; fails with EAGAIN once the timeout passes. */
  public byte[] receive() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(4096);
      long n = Libc.call("recv", RECV, fd, buffer, buffer.byteSize(), 0);
      return buffer.asSlice(0, n).toArray(JAVA_BYTE);
    }
  }

  @Override
  public void close() throws IOException {
    Libc.close(fd);
  }
}
