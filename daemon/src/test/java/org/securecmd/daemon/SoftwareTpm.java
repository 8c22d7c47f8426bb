package org.securecmd.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * (A copy of the attest tests' helper, for the daemon's end-to-end enrollment tests; {@link #open} drives it
 * with the device's own TPM command layer, {@code org.securecmd.tpm}.)
 * A manufactured software TPM for tests: {@code swtpm_setup --create-ek-cert} with an EK CA this test makes
 * (openssl, in {@code dir/ca}), then {@code swtpm socket} on two free loopback ports, driven by tpm2-tools
 * through the {@code swtpm:} TCTI. swtpm_setup persists an RSA-2048 EK at 0x81010001 (certificate in NV
 * 0x01c00002) and a P-384 EK at 0x81010016 (certificate in NV 0x01c00016). There is no resource manager,
 * so callers flush what tools leave loaded ({@link #flush}). Every wait is bounded; {@link #close} stops
 * swtpm.
 */
public final class SoftwareTpm implements AutoCloseable {
  static final String RSA_EK = "0x81010001";
  static final String ECC_EK = "0x81010016";
  final Path dir;
  public final Path caCert;
  private final int port;
  private Process swtpm;

  private SoftwareTpm(Path dir, int port) {
    this.dir = dir;
    this.caCert = dir.resolve("ca/cert.pem");
    this.port = port;
  }

  public static SoftwareTpm start(Path dir) throws Exception {
    Path ca = Files.createDirectories(dir.resolve("ca"));
    Path state = Files.createDirectories(dir.resolve("state"));
    exec(dir, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + "/key.pem",
        "-out", ca + "/cert.pem", "-subj", "/CN=Test EK CA " + dir.getFileName(), "-days", "30",
        "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"), null);
    Files.writeString(ca.resolve("serial"), "1\n");
    Files.writeString(dir.resolve("localca.conf"), "statedir = " + ca + "\nsigningkey = " + ca + "/key.pem\n"
        + "issuercert = " + ca + "/cert.pem\ncertserial = " + ca + "/serial\n");
    Files.writeString(dir.resolve("setup.conf"), "create_certs_tool = /usr/bin/swtpm_localca\n"
        + "create_certs_tool_config = " + dir.resolve("localca.conf") + "\n"
        + "create_certs_tool_options = /etc/swtpm-localca.options\nactive_pcr_banks = sha256\n");
    exec(dir, List.of("swtpm_setup", "--tpm2", "--create-ek-cert", "--tpm-state", state.toString(), "--config",
        dir.resolve("setup.conf").toString(), "--overwrite"), null);
    SoftwareTpm tpm = new SoftwareTpm(dir, freePortPair());
    try {
      tpm.swtpm = new ProcessBuilder("swtpm", "socket", "--tpm2", "--server",
          "type=tcp,port=" + tpm.port + ",bindaddr=127.0.0.1", "--ctrl",
          "type=tcp,port=" + (tpm.port + 1) + ",bindaddr=127.0.0.1", "--tpmstate", "dir=" + state,
          "--flags", "not-need-init,startup-clear")
          .redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile()).start();
      tpm.waitForPort(15);
      return tpm;
    } catch (Throwable t) {
      tpm.close();
      throw t;
    }
  }

  /** This TPM as a {@code --tpm} spec ({@code swtpm:host=127.0.0.1,port=P}). */
  public String spec() {
    return "swtpm:host=127.0.0.1,port=" + port;
  }

  /** The device's TPM command layer on this TPM; swtpm serves one connection at a time. */
  public org.securecmd.tpm.Tpm open() throws org.securecmd.tpm.TpmException {
    return org.securecmd.tpm.Tpm.open(new org.securecmd.tpm.TpmSpec.Swtpm("127.0.0.1", port));
  }

  /** Runs a tpm2-tools command against this TPM and returns its stdout. */
  public String tool(String... command) throws Exception {
    return exec(dir, List.of(command), "swtpm:host=127.0.0.1,port=" + port);
  }

  /** Flushes the transient objects and sessions the tools left loaded. */
  void flush() throws Exception {
    tool("tpm2_flushcontext", "-t");
    tool("tpm2_flushcontext", "-s");
  }

  byte[] read(String file) throws IOException {
    return Files.readAllBytes(dir.resolve(file));
  }

  static String exec(Path dir, List<String> command, String tcti) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Path outFile = Files.createTempFile(dir, "stdout", ".txt");
    pb.redirectError(err.toFile()).redirectOutput(outFile.toFile());
    if (tcti != null) pb.environment().put("TPM2TOOLS_TCTI", tcti);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " not found: install swtpm, swtpm-tools and tpm2-tools", e);
    }
    p.getOutputStream().close();
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

  private void waitForPort(int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (!swtpm.isAlive()) throw new AssertionError("swtpm exited:\n" + Files.readString(dir.resolve("swtpm.log")));
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("swtpm is not listening on port " + port + " after " + seconds + "s");
  }

  /** A port p such that p and p + 1 are free now (the swtpm TCTI uses p + 1 for control). */
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

  @Override
  public void close() throws InterruptedException {
    if (swtpm == null) return;
    swtpm.destroy();
    if (!swtpm.waitFor(5, TimeUnit.SECONDS)) swtpm.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }
}
