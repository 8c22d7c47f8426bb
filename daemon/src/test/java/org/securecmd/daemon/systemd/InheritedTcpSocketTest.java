package org.securecmd.daemon.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A raw listening TCP descriptor (made with socket/bind/listen, as systemd does) put under a JDK channel
 * that bound a throwaway port, the way the metrics endpoint's HTTP server is given systemd's socket.
 */
class InheritedTcpSocketTest {
  private static final int AF_INET = 2;
  private static final int SOCK_STREAM = 1;
  private static final MethodHandle BIND = Libc.handle("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle LISTEN = Libc.handle("listen", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  /** Without the copied O_NONBLOCK the last accept would block: the timeout turns that into a failure. */
  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void theChannelAcceptsOnThePassedSocketThroughItsSelectorAndItsOwnPortIsGone() throws Exception {
    int port = freePort();
    int fd = tcpSocket(port, true);
    try (ServerSocketChannel own = ServerSocketChannel.open(); Selector selector = Selector.open()) {
      own.bind(new InetSocketAddress(LOOPBACK, 0));
      own.configureBlocking(false);  // as the JDK's HTTP server does before it is started
      own.register(selector, SelectionKey.OP_ACCEPT);
      InetSocketAddress throwaway = (InetSocketAddress) own.getLocalAddress();
      InheritedTcpSocket.replace(fd, throwaway);
      assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd)), "the passed descriptor is closed");
      assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, throwaway.getPort()).close(),
          "the throwaway socket is closed by the swap");
      try (Socket client = new Socket(LOOPBACK, port)) {
        assertEquals(1, selector.select(30_000), "the selector sees the connection on the passed socket");
        SocketChannel accepted = own.accept();
        assertNotNull(accepted, "a non-blocking accept finds it");
        try (accepted) {
          assertEquals(client.getLocalPort(), ((InetSocketAddress) accepted.getRemoteAddress()).getPort());
        }
        assertEquals(null, own.accept(), "O_NONBLOCK was copied: no second connection, no blocking");
      }
    }
  }

  @Test
  void aTcpSocketThatDoesNotListenIsRefusedAndLeftOpen() throws Exception {
    int fd = tcpSocket(freePort(), false);
    try (ServerSocketChannel own = ServerSocketChannel.open()) {
      own.bind(new InetSocketAddress(LOOPBACK, 0));
      IOException e = assertThrows(IOException.class,
          () -> InheritedTcpSocket.replace(fd, (InetSocketAddress) own.getLocalAddress()));
      assertEquals("fd " + fd + " is not a listening TCP socket (ListenStream= with an address:port)", e.getMessage());
      assertTrue(Files.exists(Path.of("/proc/self/fd/" + fd)));
    } finally {
      Libc.close(fd);
    }
  }

  @Test
  void withoutOwnListeningSocketOnThatPortNothingChanges() throws Exception {
    int fd = tcpSocket(freePort(), true);
    try {
      int nobody = freePort();
      IOException e = assertThrows(IOException.class,
          () -> InheritedTcpSocket.replace(fd, new InetSocketAddress(LOOPBACK, nobody)));
      assertTrue(e.getMessage().contains("expected one listening descriptor, found []"), e.getMessage());
      assertTrue(Files.exists(Path.of("/proc/self/fd/" + fd)));
    } finally {
      Libc.close(fd);
    }
  }

  @Test
  void aUnixSocketIsRefused() throws Exception {
    int fd = Libc.socket(Libc.AF_UNIX, SOCK_STREAM | Libc.SOCK_CLOEXEC);
    try {
      IOException e = assertThrows(IOException.class,
          () -> InheritedTcpSocket.replace(fd, new InetSocketAddress(LOOPBACK, 1)));
      assertEquals("fd " + fd + " is not a listening TCP socket (ListenStream= with an address:port)", e.getMessage());
    } finally {
      Libc.close(fd);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      return s.getLocalPort();
    }
  }

  /** A raw AF_INET stream socket bound to 127.0.0.1:{@code port}, listening if asked. */
  private static int tcpSocket(int port, boolean listen) throws IOException {
    int fd = Libc.socket(AF_INET, SOCK_STREAM | Libc.SOCK_CLOEXEC);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment sockaddr = arena.allocate(16);  // struct sockaddr_in
      sockaddr.set(JAVA_SHORT, 0, (short) AF_INET);
      sockaddr.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
      byte[] loopback = {127, 0, 0, 1};
      MemorySegment.copy(loopback, 0, sockaddr, JAVA_BYTE, 4, 4);
      Libc.call("bind", BIND, fd, sockaddr, 16);
      if (listen) Libc.call("listen", LISTEN, fd, 16);
      return fd;
    } catch (IOException | RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
  }
}
