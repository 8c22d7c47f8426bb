package org.securecmd.bench.pkcs11;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The bench's child servers on 127.0.0.1 (swtpm, a throwaway daemon): free ports, and a bounded wait until
 * one listens. One copy for the TPM and daemon helpers of both bench packages.
 */
public final class Loopback {
  private Loopback() {}

  /** A port p such that p and p + 1 are free right now (swtpm's TCTI takes the next port for control). */
  public static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket a = new ServerSocket(0)) {
        int p = a.getLocalPort();
        if (p >= 65535) continue;
        try (ServerSocket b = new ServerSocket(p + 1)) {
          return p;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no two consecutive free ports found");
  }

  /**
   * Returns once {@code process} accepts connections on 127.0.0.1:{@code port}; fails with {@code log}'s text
   * when it exits first or is not listening after {@code seconds}.
   */
  public static void awaitListening(Process process, String name, int port, Path log, int seconds)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IOException(name + " is not listening on 127.0.0.1:" + port + " after " + seconds + " s:\n"
        + Files.readString(log));
  }
}
