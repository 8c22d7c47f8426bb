package org.securecmd.daemon.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux libc calls this package needs, through FFM. Each call reports failure as an
 * {@link IOException} naming the call and errno, captured right after the call so that the
 * JVM's own libc use cannot overwrite it.
 *
 * <p>Constants are the Linux values, identical on x86-64 and aarch64, the two platforms the
 * daemon ships for.
 *
 * <p>Downcalls are restricted FFM methods by nature; the jar's {@code Enable-Native-Access}
 * manifest entry (and {@code --enable-native-access} in tests) grants them, so the lint
 * warning is suppressed here, the only class that makes them.
 */
@SuppressWarnings("restricted")
final class Libc {
  static final int AF_UNIX = 1;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int MSG_NOSIGNAL = 0x4000;
  private static final int CLOCK_MONOTONIC = 1;
  private static final int F_GETFL = 3;
  private static final int F_SETFL = 4;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = STATE.varHandle(PathElement.groupElement("errno"));

  private static final MethodHandle DUP = handle("dup", JAVA_INT, JAVA_INT);
  private static final MethodHandle DUP2 = handle("dup2", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle CLOSE = handle("close", JAVA_INT, JAVA_INT);
  /** fcntl(2) is variadic: its third argument is passed as one. */
  private static final MethodHandle FCNTL = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("fcntl"),
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
      Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
  private static final MethodHandle SOCKET =
      handle("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle SENDTO =
      handle("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle CLOCK_GETTIME =
      handle("clock_gettime", JAVA_INT, JAVA_INT, ADDRESS);
  private static final MethodHandle STRERROR = LINKER.downcallHandle(
      LINKER.defaultLookup().findOrThrow("strerror"),
      FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, JAVA_BYTE)),
          JAVA_INT));

  private Libc() {}

  /**
   * Links every downcall above: the first call into this class initialises it, which is where the linking
   * happens, so a start-up thread can pay for it ahead of the first real call (which then waits for it).
   */
  static void link() {}

  static int dup(int fd) throws IOException {
    return (int) call("dup(" + fd + ")", DUP, fd);
  }

  static void dup2(int from, int to) throws IOException {
    call("dup2(" + from + ", " + to + ")", DUP2, from, to);
  }

  static void close(int fd) throws IOException {
    call("close(" + fd + ")", CLOSE, fd);
  }

  /** The file status flags (O_NONBLOCK among them) of the open file {@code fd} refers to. */
  static int statusFlags(int fd) throws IOException {
    return (int) call("fcntl(" + fd + ", F_GETFL)", FCNTL, fd, F_GETFL, 0);
  }

  static void setStatusFlags(int fd, int flags) throws IOException {
    call("fcntl(" + fd + ", F_SETFL)", FCNTL, fd, F_SETFL, flags);
  }

  static int socket(int domain, int type) throws IOException {
    return (int) call("socket", SOCKET, domain, type, 0);
  }

  static long sendto(int fd, MemorySegment data, MemorySegment address) throws IOException {
    return call("sendto", SENDTO, fd, data, data.byteSize(), MSG_NOSIGNAL, address,
        (int) address.byteSize());
  }

  /**
   * CLOCK_MONOTONIC in microseconds. Not {@link System#nanoTime()}: its origin is unspecified,
   * while systemd compares {@code MONOTONIC_USEC} with its own reading of this exact clock.
   */
  static long monotonicUsec() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment timespec = arena.allocate(JAVA_LONG, 2);
      call("clock_gettime", CLOCK_GETTIME, CLOCK_MONOTONIC, timespec);
      return timespec.getAtIndex(JAVA_LONG, 0) * 1_000_000L
          + timespec.getAtIndex(JAVA_LONG, 1) / 1_000L;
    } catch (IOException e) {
      throw new IllegalStateException("CLOCK_MONOTONIC unreadable", e);  // cannot fail on Linux
    }
  }

  /** A downcall that also captures errno; its first parameter is the capture segment. */
  static MethodHandle handle(String name, MemoryLayout result, MemoryLayout... args) {
    return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name),
        FunctionDescriptor.of(result, args), Linker.Option.captureCallState("errno"));
  }

  /** Invokes a {@link #handle}; a result of -1 becomes an IOException with errno's text. */
  static long call(String what, MethodHandle handle, Object... args) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      Object[] all = new Object[args.length + 1];
      all[0] = state;
      System.arraycopy(args, 0, all, 1, args.length);
      long result = ((Number) handle.invokeWithArguments(all)).longValue();
      if (result == -1) {
        int errno = (int) ERRNO.get(state, 0L);
        throw new IOException(what + " failed: " + strerror(errno) + " (errno " + errno + ")");
      }
      return result;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(what + ": unexpected failure of the downcall", t);
    }
  }

  private static String strerror(int errno) throws Throwable {
    return ((MemorySegment) STRERROR.invokeExact(errno)).getString(0);
  }
}
