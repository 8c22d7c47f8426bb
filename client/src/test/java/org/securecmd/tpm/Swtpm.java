package org.securecmd.tpm;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real, manufactured software TPM for tests, the one fixture every module's TPM tests share (through the
 * client's test-jar; bench keeps a main-code copy because bench may not use test code):
 * {@code swtpm_setup --create-ek-cert} with an EK CA this test makes (openssl, a self-signed root
 * {@code CN=Test EK CA <dir name>} in {@code dir/ca}, {@link #caCert}), then swtpm serves the state on a free
 * loopback port pair ({@link #tcti}). swtpm_setup persists an RSA-2048 EK at {@link #RSA_EK} (certificate in
 * NV 0x01c00002) and a P-384 EK at {@link #ECC_EK} (certificate in NV 0x01c00016). swtpm starts with
 * {@code --daemon}, so the port listens once the start command has returned (no polling); {@link #close} ends
 * it by its pid. There is no resource manager: swtpm serves one client at a time, and callers flush what
 * tools leave loaded ({@link #flush}). Every wait is bounded.
 */
public final class Swtpm implements AutoCloseable {
  public static final String RSA_EK = "0x81010001";
  public static final String ECC_EK = "0x81010016";
  /** Where the TPM's state, its EK CA and the tools' files live (tpm2-tools run with it as working directory). */
  public final Path dir;
  /** The EK CA's certificate (PEM): the issuer of both EK certificates. */
  public final Path caCert;
  private final int port;
  private final long pid;

  private Swtpm(Path dir, int port, long pid) {
    this.dir = dir;
    this.caCert = dir.resolve("ca/cert.pem");
    this.port = port;
    this.pid = pid;
  }

  /** Manufactures a TPM with EK certificates in {@code dir} and serves it. */
  public static Swtpm start(Path dir) throws Exception {
    Path ca = Files.createDirectories(dir.resolve("ca"));
    Path state = Files.createDirectories(dir.resolve("state"));
    exec(dir, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + "/key.pem",
        "-out", ca + "/cert.pem", "-subj", "/CN=Test EK CA " + dir.getFileName(), "-days", "30",
        "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"), null);
    Files.writeString(ca.resolve("serial"), "1\n");
    Files.writeString(dir.resolve("localca.conf"), "statedir = " + ca + "\nsigningkey = " + ca + "/key.pem\n"
        + "issuercert = " + ca + "/cert.pem\ncertserial = " + ca + "/serial\n");
    Files.writeString(dir.resolve("localca.options"),
        "--platform-manufacturer securecmd\n--platform-version 2.1\n--platform-model test\n");
    Files.writeString(dir.resolve("setup.conf"), "create_certs_tool = /usr/bin/swtpm_localca\n"
        + "create_certs_tool_config = " + dir.resolve("localca.conf") + "\n"
        + "create_certs_tool_options = " + dir.resolve("localca.options") + "\nactive_pcr_banks = sha256\n");
    exec(dir, List.of("swtpm_setup", "--tpm2", "--create-ek-cert", "--tpm-state", state.toString(), "--config",
        dir.resolve("setup.conf").toString(), "--overwrite"), null);
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

  /** The TCTI that reaches this TPM directly (one client at a time); also the device client's --tpm value. */
  public String tcti() {
    return "swtpm:host=127.0.0.1,port=" + port;
  }

  public TpmSpec spec() {
    return new TpmSpec.Swtpm("127.0.0.1", port);
  }

  /** The device's TPM command layer on this TPM; swtpm serves one connection at a time. */
  public Tpm open() throws TpmException {
    return Tpm.open(spec());
  }

  /**
   * Runs a tpm2-tools command against this TPM in {@link #dir} and returns its stdout. Call it while no
   * {@link Tpm} of the test is open, or it waits for the test's connection until its time is up.
   */
  public String tool(String... command) throws Exception {
    return exec(dir, List.of(command), tcti());
  }

  /** Flushes the transient objects and sessions the tools left loaded. */
  public void flush() throws Exception {
    tool("tpm2_flushcontext", "-t");
    tool("tpm2_flushcontext", "-s");
  }

  /** A file a tool wrote in {@link #dir}. */
  public byte[] read(String file) throws IOException {
    return Files.readAllBytes(dir.resolve(file));
  }

  /**
   * Runs {@code command} in {@code dir} (with {@code TPM2TOOLS_TCTI=tcti} unless null), at most 60s; returns
   * its stdout, or fails the test with its stderr when the exit code is not 0.
   */
  public static String exec(Path dir, List<String> command, String tcti) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Path outFile = Files.createTempFile(dir, "stdout", ".txt");
    pb.redirectError(err.toFile()).redirectOutput(outFile.toFile());
    if (tcti != null) pb.environment().put("TPM2TOOLS_TCTI", tcti);
    Process p = start(pb, command);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish within 60s");
    }
    String stderr = Files.readString(err);
    byte[] out = Files.readAllBytes(outFile);
    Files.delete(err);
    Files.delete(outFile);
    if (p.exitValue() != 0) {
      throw new AssertionError(command + " exited " + p.exitValue() + ":\n" + stderr);
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /**
   * Runs {@code command} with its stdout and stderr together in a file (so a tool that hangs cannot block the
   * read), at most {@code seconds}; returns that output, or fails the test with it when the exit code is not 0.
   */
  public static String run(Path dir, List<String> command, Map<String, String> env, int seconds) throws Exception {
    Path log = Files.createTempFile(dir, "tool", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = start(pb, command);
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + "s:\n"
          + Files.readString(log));
    }
    String out = Files.readString(log);
    if (p.exitValue() != 0) throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
    return out;
  }

  private static Process start(ProcessBuilder pb, List<String> command) throws IOException {
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " not found (" + e.getMessage()
          + "): install swtpm, swtpm-tools and tpm2-tools (scripts/ci-packages-pki.txt)", e);
    }
    p.getOutputStream().close();
    return p;
  }

  /** The EK CA's certificate, parsed. */
  public X509Certificate ekIssuer() throws Exception {
    try (var in = Files.newInputStream(caCert)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
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

  /** A port p such that p and p + 1 are free right now (the swtpm TCTI uses p + 1 for control). */
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
