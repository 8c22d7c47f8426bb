package org.securecmd.bench.pkcs11;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The daemon the benchmark connects to: {@code securecmdd} ({@code org.securecmd.daemon.Main}) in a child JVM
 * on this JVM's class path, on 127.0.0.1 and a port that was free a moment before, with {@code server.crt},
 * {@code server.key} and {@code ca/ca.crt} from {@code dir}. A child process rather than the daemon's
 * test helper, so that bench needs no other module's test code and runs the daemon as it is shipped.
 */
final class BenchDaemon implements AutoCloseable {
  private final Process process;
  private final int port;

  private BenchDaemon(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Devices whose id starts with {@code dev-} may connect and GET_SECRET. */
  static BenchDaemon start(Path dir) throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Files.writeString(dir.resolve("config.toml"), """
        [server]
        listen = "127.0.0.1:%d"
        handshake_timeout = "5s"
        idle_timeout = "30s"
        [tls]
        certificate = "server.crt"
        private_key = "server.key"
        [clients]
        auth = "required"
        ca = "ca/ca.crt"
        allow = ["dev-*"]
        [admin]
        socket = "admin.sock"
        [state]
        directory = "state"
        [commands.GET_SECRET]
        reply = "THIS_IS_THE_SECRET"
        allow = ["dev-*"]
        """.formatted(port));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        "--enable-native-access=ALL-UNNAMED", "-Dlogback.configurationFile=/dev/null",
        "org.securecmd.daemon.Main", "--config", dir.resolve("config.toml").toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
    BenchDaemon daemon = new BenchDaemon(p, port);
    try {
      Loopback.awaitListening(daemon.process, "securecmdd", daemon.port, dir.resolve("daemon.log"), 30);
      return daemon;
    } catch (IOException | RuntimeException e) {
      daemon.close();
      throw e;
    }
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }
}
