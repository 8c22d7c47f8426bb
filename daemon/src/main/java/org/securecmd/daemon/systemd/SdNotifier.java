package org.securecmd.daemon.systemd;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify over FFM: one AF_UNIX datagram per message to {@code NOTIFY_SOCKET}. The JDK's
 * {@code DatagramChannel} cannot do AF_UNIX, hence socket(2) and sendto(2) directly.
 *
 * <p>Each message opens and closes its own socket, as libsystemd does: messages are rare (a
 * watchdog ping every few seconds at most), and no descriptor outlives the call to leak.
 */
final class SdNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(SdNotifier.class);

  /** sizeof(sockaddr_un.sun_path) on Linux. */
  private static final int SUN_PATH_BYTES = 108;

  private final String address;

  SdNotifier(String address) {
    // Encode once up front so a bad NOTIFY_SOCKET fails at startup, not at the first message.
    try (Arena arena = Arena.ofConfined()) {
      sockaddr(arena, address);
    }
    this.address = address;
  }

  @Override
  public void notify(String state) {
    try {
      send(state);
    } catch (IOException e) {
      log.warn("sd_notify to {} failed ({}): {}", address, state.replace('\n', ' '), e.getMessage());
    }
  }

  void send(String state) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment to = sockaddr(arena, address);
      MemorySegment data = arena.allocateFrom(JAVA_BYTE, state.getBytes(UTF_8));
      int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC);
      try {
        long sent = Libc.sendto(fd, data, to);
        if (sent != data.byteSize()) {
          throw new IOException("sendto sent " + sent + " of " + data.byteSize() + " bytes");
        }
      } finally {
        Libc.close(fd);
      }
    }
  }

  /**
   * A sockaddr_un for a path or an {@code @abstract} name. An abstract name starts with a NUL
   * byte instead of '@' and has no terminator, so the address length must be exact: the kernel
   * takes every byte up to that length as part of the name.
   */
  static MemorySegment sockaddr(Arena arena, String address) {
    boolean isAbstract = address.startsWith("@");
    if (!isAbstract && !address.startsWith("/")) {
      throw new IllegalArgumentException("NOTIFY_SOCKET=\"" + address
          + "\": expected an absolute path or an @abstract name");
    }
    byte[] name = address.getBytes(UTF_8);
    if (isAbstract) name[0] = 0;
    int pathBytes = isAbstract ? name.length : name.length + 1;  // a path keeps its NUL
    if (name.length < 2 || pathBytes > SUN_PATH_BYTES) {
      throw new IllegalArgumentException("NOTIFY_SOCKET=\"" + address + "\": must be 1 to "
          + (SUN_PATH_BYTES - (isAbstract ? 1 : 2)) + " bytes after its first character");
    }
    MemorySegment sockaddr = arena.allocate(JAVA_SHORT.byteSize() + pathBytes);  // zeroed
    sockaddr.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
    MemorySegment.copy(name, 0, sockaddr, JAVA_BYTE, JAVA_SHORT.byteSize(), name.length);
    return sockaddr;
  }
}
