package org.securecmd.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.tls.HandshakeSetup;

/**
 * A restart must not drop a device that connected just before it: a connection accepted but not yet served
 * (handshake still to come) gets its one reply while the daemon stops; served idle connections close at once.
 */
class GracefulStopTest {
  @TempDir Path dir;

  @Test
  void connectionAcceptedBeforeStopIsServedOnceAndIdleServedOneIsClosed() throws Exception {
    TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""));
    int port = d.port();
    Connection idle = d.connect(d.device);
    assertEquals("PONG", idle.send("PING").text());
    Socket raw = new Socket(InetAddress.getLoopbackAddress(), port);  // TCP only; TLS comes after the stop
    awaitOpenConnections(d, 2);
    Thread stopper = Thread.ofPlatform().start(() -> {
      try {
        d.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    awaitListenerClosed(port);  // the stop has begun: no new connections

    HandshakeSetup setup = new HandshakeSetup.Builder().addTrustedCertificate(d.pki.rootCertificate())
        .certifiedKey(d.device.certifiedKey()).build();
    try (SSLSocket tls = (SSLSocket) setup.newSslContext().getSocketFactory()
        .createSocket(raw, "127.0.0.1", port, true)) {
      tls.setSoTimeout(30_000);
      tls.startHandshake();
      tls.getOutputStream().write("PING\n".getBytes(UTF_8));
      tls.getOutputStream().flush();
      var in = new BufferedReader(new InputStreamReader(tls.getInputStream(), UTF_8));
      assertEquals("PONG", in.readLine(), "the connection accepted before the stop is served");
      assertEquals(null, in.readLine(), "then closed");
    }
    assertThrows(Exception.class, () -> idle.send("PING"), "a served idle connection is closed by the stop");
    stopper.join(TimeUnit.SECONDS.toMillis(60));
    assertFalse(stopper.isAlive(), "stop did not finish");
  }

  private static void awaitOpenConnections(TestDaemon d, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (d.daemon.server().openConnections() < n) {
      if (System.nanoTime() > deadline) fail("the daemon did not accept " + n + " connections within 30 s");
      LockSupport.parkNanos(1_000_000);
    }
  }

  private static void awaitListenerClosed(int port) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        if (System.nanoTime() > deadline) fail("the listener still accepts 30 s after stop began");
        LockSupport.parkNanos(1_000_000);
      } catch (IOException refused) {
        return;
      }
    }
  }
}
