package org.securecmd.pki;

import java.nio.file.Files;
import java.nio.file.Path;
import org.securecmd.daemon.RunningDaemon;

/**
 * A real daemon on 127.0.0.1 (ephemeral port) whose TLS files come from a securecmd-pki CA in {@code dir}:
 * {@code server.crt}/{@code server.key} and {@code ca/ca.crt} as the client CA, started through the daemon's
 * test-jar ({@link RunningDaemon}).
 */
public final class FleetDaemon implements AutoCloseable {
  private final RunningDaemon daemon;

  private FleetDaemon(RunningDaemon daemon) {
    this.daemon = daemon;
  }

  /** Devices whose id starts with {@code dev-} may connect and GET_SECRET; {@code crl} is a file or "". */
  public static FleetDaemon start(Path dir, String crl) throws Exception {
    writeConfig(dir, crl);
    return new FleetDaemon(RunningDaemon.start(dir.resolve("config.toml")));
  }

  /** Points {@code [clients] crl} at {@code crl} and reloads, as {@code systemctl reload securecmd} does. */
  public void reloadWithCrl(Path dir, String crl) throws Exception {
    writeConfig(dir, crl);
    daemon.reload();
  }

  private static void writeConfig(Path dir, String crl) throws java.io.IOException {
    String config = """
        [server]
        listen = "127.0.0.1:0"
        handshake_timeout = "5s"
        idle_timeout = "30s"
        [tls]
        certificate = "server.crt"
        private_key = "server.key"
        [clients]
        auth = "required"
        ca = "ca/ca.crt"
        crl = "%s"
        allow = ["dev-*"]
        [admin]
        socket = "admin.sock"
        [state]
        directory = "state"
        [commands.GET_SECRET]
        reply = "THIS_IS_THE_SECRET"
        allow = ["dev-*"]
        """.formatted(crl);
    Files.writeString(dir.resolve("config.toml"), config);
  }

  public int port() throws java.io.IOException {
    return daemon.port();
  }

  @Override
  public void close() throws InterruptedException {
    daemon.close();
  }
}
