package org.securecmd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.securecmd.bench.pkcs11.Loopback;
import org.securecmd.tpm.TpmSpec;

/**
 * A software TPM as a factory leaves it: {@code swtpm_setup --create-ek-cert} with an EK CA made here
 * (openssl, in {@code dir/ca}; swtpm_setup stores an RSA-2048 and a P-384 EK certificate in NV), then
 * {@code swtpm socket} on two free loopback ports (the swtpm TCTI uses the second for control). Every wait
 * is bounded; {@link #close} stops swtpm.
 */
final class ManufacturedTpm implements AutoCloseable {
  private final Path dir;
  private final int port;
  private Process swtpm;

  private ManufacturedTpm(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static ManufacturedTpm start(Path dir) throws IOException, InterruptedException {
    Path ca = Files.createDirectories(dir.resolve("ca"));
    Path state = Files.createDirectories(dir.resolve("state"));
    run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + "/key.pem",
        "-out", ca + "/cert.pem", "-subj", "/CN=Bench EK CA", "-days", "2",
        "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    Files.writeString(ca.resolve("serial"), "1\n");
    Files.writeString(dir.resolve("localca.conf"), "statedir = " + ca + "\nsigningkey = " + ca + "/key.pem\n"
        + "issuercert = " + ca + "/cert.pem\ncertserial = " + ca + "/serial\n");
    Files.writeString(dir.resolve("setup.conf"), "create_certs_tool = /usr/bin/swtpm_localca\n"
        + "create_certs_tool_config = " + dir.resolve("localca.conf") + "\n"
        + "create_certs_tool_options = /etc/swtpm-localca.options\nactive_pcr_banks = sha256\n");
    run(dir, "swtpm_setup", "--tpm2", "--create-ek-cert", "--tpm-state", state.toString(), "--config",
        dir.resolve("setup.conf").toString(), "--overwrite");
    ManufacturedTpm tpm = new ManufacturedTpm(dir, Loopback.freePortPair());
    try {
      tpm.swtpm = new ProcessBuilder("swtpm", "socket", "--tpm2", "--server",
          "type=tcp,port=" + tpm.port + ",bindaddr=127.0.0.1", "--ctrl",
          "type=tcp,port=" + (tpm.port + 1) + ",bindaddr=127.0.0.1", "--tpmstate", "dir=" + state,
          "--flags", "not-need-init,startup-clear")
          .redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile()).start();
      Loopback.awaitListening(tpm.swtpm, "swtpm", tpm.port, dir.resolve("swtpm.log"), 15);
      return tpm;
    } catch (IOException | InterruptedException | RuntimeException e) {
      tpm.close();
      throw e;
    }
  }

  /** The EK CA's certificate (PEM): what {@code [attestation] ek_ca} would name. */
  Path ekCa() {
    return dir.resolve("ca/cert.pem");
  }

  TpmSpec spec() {
    return new TpmSpec.Swtpm("127.0.0.1", port);
  }

  /** The same TPM in the TCTI syntax of {@code securecmd-client --tpm}. */
  String tcti() {
    return "swtpm:host=127.0.0.1,port=" + port;
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Path log = dir.resolve(command[0] + ".log");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(List.of(command) + " did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(List.of(command) + " exited " + p.exitValue() + ":\n" + Files.readString(log));
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (swtpm == null) return;
    swtpm.destroy();
    if (!swtpm.waitFor(5, TimeUnit.SECONDS)) swtpm.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }
}
