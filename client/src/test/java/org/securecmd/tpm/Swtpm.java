package org.securecmd.tpm;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real software TPM for tests: {@code swtpm_setup --create-ek-cert} makes a TPM state whose EK
 * certificates (RSA-2048 and ECC P-384) are signed by a local CA of the test's own (its config files live
 * in {@code dir}), then swtpm serves it on a free loopback port pair. swtpm starts with {@code --daemon}, so
 * the port listens once the start command has returned (no polling); {@link #close} ends it by its pid.
 */
final class Swtpm implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final long pid;

  private Swtpm(Path dir, int port, long pid) {
    this.dir = dir;
    this.port = port;
    this.pid = pid;
  }

  /** Manufactures a TPM with EK certificates in {@code dir} and serves it. */
  static Swtpm start(Path dir) throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    Path ca = Files.createDirectories(dir.resolve("ca"));
    Files.writeString(ca.resolve("localca.conf"), "statedir = " + ca + "\nsigningkey = " + ca.resolve("signkey.pem")
        + "\nissuercert = " + ca.resolve("issuercert.pem") + "\ncertserial = " + ca.resolve("certserial") + "\n");
    Files.writeString(ca.resolve("localca.options"),
        "--platform-manufacturer securecmd\n--platform-version 2.1\n--platform-model test\n");
    Files.writeString(dir.resolve("swtpm_setup.conf"), "create_certs_tool = /usr/bin/swtpm_localca\n"
        + "create_certs_tool_config = " + ca.resolve("localca.conf") + "\ncreate_certs_tool_options = "
        + ca.resolve("localca.options") + "\nactive_pcr_banks = sha256\n");
    run(dir, List.of("swtpm_setup", "--tpm2", "--create-ek-cert", "--tpm-state", state.toString(), "--config",
        dir.resolve("swtpm_setup.conf").toString(), "--overwrite"), java.util.Map.of(), 120);
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePortPair();
      Path pidFile = dir.resolve("swtpm.pid");
      Files.deleteIfExists(pidFile);
      Process p = new ProcessBuilder("swtpm", "socket", "--tpm2", "--daemon", "--pid", "file=" + pidFile,
          "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
          "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
          "--tpmstate", "dir=" + state, "--flags", "not-need-init,startup-clear",
          "--log", "file=" + dir.resolve("swtpm.log")).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("swtpm --daemon did not return within 30s");
      }
      if (p.exitValue() == 0) return new Swtpm(dir, port, Long.parseLong(Files.readString(pidFile).strip()));
      last = new IOException("swtpm on port " + port + " exited " + p.exitValue() + ": " + out);
    }
    throw new AssertionError("swtpm did not start", last);
  }

  TpmSpec spec() {
    return new TpmSpec.Swtpm("127.0.0.1", port);
  }

  Tpm open() throws TpmException {
    return Tpm.open(spec());
  }

  /**
   * Runs a tpm2-tools command against this TPM. swtpm serves one client at a time: call it while no
   * {@link Tpm} of the test is open, or it waits for the test's connection until its time is up.
   */
  String tool(String... command) throws Exception {
    return run(dir, List.of(command), java.util.Map.of("TPM2TOOLS_TCTI", "swtpm:host=127.0.0.1,port=" + port), 30);
  }

  /**
   * Runs {@code command} with its output in a file (so a tool that hangs cannot block the read), at most
   * {@code seconds}; returns the output, or fails the test with it when the exit code is not 0.
   */
  static String run(Path dir, List<String> command, java.util.Map<String, String> env, int seconds) throws Exception {
    Path log = Files.createTempFile(dir, "tool", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " not found (" + e.getMessage()
          + "): install swtpm, swtpm-tools and tpm2-tools (scripts/ci-packages-pki.txt)", e);
    }
    p.getOutputStream().close();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + "s:\n"
          + Files.readString(log));
    }
    String out = Files.readString(log);
    if (p.exitValue() != 0) throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
    return out;
  }

  /** The local CA's certificate that signed the EK certificates. */
  X509Certificate ekIssuer() throws Exception {
    try (var in = Files.newInputStream(dir.resolve("ca").resolve("issuercert.pem"))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() throws InterruptedException {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty()) return;
    h.get().destroy();
    try {
      h.get().onExit().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      h.get().destroyForcibly();
    }
  }

  /** A port p such that p and p + 1 are free right now. */
  private static int freePortPair() throws IOException {
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
}
