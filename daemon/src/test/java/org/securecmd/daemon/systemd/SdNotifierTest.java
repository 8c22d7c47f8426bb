package org.securecmd.daemon.systemd;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SdNotifierTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void sendsExactBytesToPathSocket() throws IOException {
    String path = dir.resolve("notify").toString();
    try (var receiver = new DatagramReceiver(path, WAIT)) {
      Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path));
      notifier.notify("READY=1");
      notifier.notify("RELOADING=1\nMONOTONIC_USEC=123456");
      notifier.notify("STATUS=grüße");
      assertArrayEquals("READY=1".getBytes(UTF_8), receiver.receive());
      assertArrayEquals("RELOADING=1\nMONOTONIC_USEC=123456".getBytes(UTF_8), receiver.receive());
      assertArrayEquals("STATUS=grüße".getBytes(UTF_8), receiver.receive());
    }
  }

  @Test
  void sendsExactBytesToAbstractSocket() throws IOException {
    // Unique per run: abstract names live in the network namespace, not the file system.
    String name = "@securecmd-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    try (var receiver = new DatagramReceiver(name, WAIT)) {
      new SdNotifier(name).send("WATCHDOG=1");
      assertArrayEquals("WATCHDOG=1".getBytes(UTF_8), receiver.receive());
    }
  }

  @Test
  @SuppressWarnings("try")  // the receiver only needs to exist
  void abstractNameMustMatchExactly() throws IOException {
    // Abstract names are compared over the whole address length: one extra byte is another
    // name, nobody is bound to it, and the kernel refuses the datagram.
    String name = "@securecmd-test-exact-" + System.nanoTime();
    try (var receiver = new DatagramReceiver(name, WAIT)) {
      var wrong = new SdNotifier(name + "x");
      IOException e = assertThrows(IOException.class, () -> wrong.send("READY=1"));
      assertTrue(e.getMessage().startsWith("sendto failed: "), e.getMessage());
    }
  }

  @Test
  void sockaddrLengthsAreExact() {
    try (Arena arena = Arena.ofConfined()) {
      assertEquals(2 + "/run/n".length() + 1, SdNotifier.sockaddr(arena, "/run/n").byteSize());
      var abs = SdNotifier.sockaddr(arena, "@abc");
      assertArrayEquals(new byte[] {0, 'a', 'b', 'c'},
          abs.asSlice(2).toArray(JAVA_BYTE));
      assertEquals(108 + 2, SdNotifier.sockaddr(arena, "@" + "a".repeat(107)).byteSize());
      assertEquals(108 + 2, SdNotifier.sockaddr(arena, "/" + "a".repeat(106)).byteSize());
    }
  }

  @Test
  void missingSocketFailsSoftly() {
    // notify() logs and returns; only send() reports the error.
    var notifier = new SdNotifier(dir.resolve("nobody-listens").toString());
    notifier.notify("READY=1");
    IOException e = assertThrows(IOException.class, () -> notifier.send("READY=1"));
    assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
  }

  @Test
  void withoutNotifySocketIsNoop() {
    assertSame(Notifier.NOOP, Notifier.fromEnvironment(Map.of()));
    assertInstanceOf(SdNotifier.class, Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/x")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "@", "/", "run/notify", "vsock:2:1234"})
  void rejectsUnsupportedAddresses(String address) {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", address)));
    assertTrue(e.getMessage().startsWith("NOTIFY_SOCKET=\"" + address + "\": "), e.getMessage());
  }

  @Test
  void rejectsTooLongAddresses() {
    assertThrows(IllegalArgumentException.class, () -> new SdNotifier("@" + "a".repeat(108)));
    assertThrows(IllegalArgumentException.class, () -> new SdNotifier("/" + "a".repeat(107)));
  }

  @Test
  void monotonicClockAdvances() {
    long a = Libc.monotonicUsec();
    long b = Libc.monotonicUsec();
    assertTrue(a > 0 && b >= a, a + " then " + b);
  }
}
