package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint is off unless configured, and a port it cannot bind stops the start, naming the address. */
class MetricsStartTest {
  @TempDir Path dir;

  @Test
  void withoutMetricsListenNothingIsServed() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", ""))) {
      assertEquals(Optional.empty(), d.daemon.metricsAddress());
      assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
    }
  }

  @Test
  void aTakenMetricsPortStopsTheStartAndReleasesTheAdminSocket() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      TestDaemon.start(dir, TestDaemon.config("", "")).close();  // writes the PKI and a config into dir
      Files.writeString(dir.resolve("config.toml"),
          TestDaemon.config("", "[metrics]\nlisten = \"127.0.0.1:" + port + "\"\n"));
      IOException e = assertThrows(IOException.class, () -> TestDaemon.startOnLoopback(dir.resolve("config.toml")));
      assertTrue(e.getMessage().startsWith("cannot listen for metrics on 127.0.0.1:" + port + ": "), e.getMessage());
      assertFalse(Files.exists(dir.resolve("admin.sock")), "the admin socket is closed and removed again");
    }
  }
}
