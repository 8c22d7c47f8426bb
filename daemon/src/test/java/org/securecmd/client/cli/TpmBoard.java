package org.securecmd.client.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A board's TPM stack for the enroll tests, all real: a TPM "manufactured" with {@code swtpm_setup
 * --create-ek-cert} (RSA-2048 and P-384 EKs whose certificates a CA of this test signs, {@link #ekCa}), served
 * by swtpm on a free loopback port pair; tpm2-abrmd in front of it on a private D-Bus session bus under a bus
 * name of its own (what /dev/tpmrm0 is on a board: tpm2_ptool and tpm2-pkcs11 need a resource manager); and a
 * tpm2-pkcs11 store directory. {@link #environment} is what the device's processes get (tpm2-tools and
 * tpm2-pkcs11 read their TCTI and store from it when they load, so the client runs as a child process with
 * it). The device client reaches the TPM directly through {@link #swtpmSpec} (swtpm serves one connection at
 * a time; the client closes its own before tpm2_ptool runs). Every wait is bounded; {@link #close} ends the
 * processes.
 */
final class TpmBoard implements AutoCloseable {
  static final Path MODULE = Path.of("/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so");
  final Path dir;
  final Path ekCa;
  private final List<Process> processes = new ArrayList<>();
  private final Map<String, String> env = new HashMap<>();
  private int port;

  private TpmBoard(Path dir) {
    this.dir = dir;
    this.ekCa = dir.resolve("ek-ca/cert.pem");
  }

  static TpmBoard start(Path dir) throws Exception {
    if (!Files.isRegularFile(MODULE)) throw new AssertionError(MODULE + " is missing: install libtpm2-pkcs11-1");
    TpmBoard b = new TpmBoard(dir);
    try {
      b.manufacture();
      b.serve();
      return b;
    } catch (Throwable t) {
      b.close();
      throw t;
    }
  }

  private void manufacture() throws Exception {
    Path ca = Files.createDirectories(dir.resolve("ek-ca"));
    Path state = Files.createDirectories(dir.resolve("state"));
    run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + "/key.pem",
        "-out", ekCa.toString(), "-subj", "/CN=Test TPM Manufacturer EK CA", "-days", "30",
        "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"), false);
    Files.writeString(ca.resolve("serial"), "1\n");
    Files.writeString(dir.resolve("localca.conf"), "statedir = " + ca + "\nsigningkey = " + ca + "/key.pem\n"
        + "issuercert = " + ekCa + "\ncertserial = " + ca + "/serial\n");
    Files.writeString(dir.resolve("setup.conf"), "create_certs_tool = /usr/bin/swtpm_localca\n"
        + "create_certs_tool_config = " + dir.resolve("localca.conf") + "\n"
        + "create_certs_tool_options = /etc/swtpm-localca.options\nactive_pcr_banks = sha256\n");
    run(List.of("swtpm_setup", "--tpm2", "--create-ek-cert", "--tpm-state", state.toString(), "--config",
        dir.resolve("setup.conf").toString(), "--overwrite"), false);
  }

  private void serve() throws Exception {
    port = freePortPair();
    spawn("swtpm", List.of("swtpm", "socket", "--tpm2", "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
        "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1", "--tpmstate", "dir=" + dir.resolve("state"),
        "--flags", "not-need-init,startup-clear"));
    waitFor(() -> listening(port), "swtpm on port " + port);
    String bus = "unix:path=" + dir.resolve("bus");
    spawn("dbus", List.of("dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=" + bus));
    waitFor(() -> Files.exists(dir.resolve("bus")), "dbus-daemon's socket");
    String name = "com.intel.tss2.Tabrmd.enroll" + ProcessHandle.current().pid() + "x" + System.nanoTime() % 100000;
    String tcti = "tabrmd:bus_type=session,bus_name=" + name;
    Path store = Files.createDirectories(dir.resolve("pkcs11-store"));
    env.putAll(Map.of("DBUS_SESSION_BUS_ADDRESS", bus, "TPM2TOOLS_TCTI", tcti, "TPM2_PKCS11_TCTI", tcti,
        "TPM2_PKCS11_STORE", store.toString(), "TPM2_PKCS11_LOG_LEVEL", "0"));
    List<String> abrmd = new ArrayList<>(List.of("tpm2-abrmd", "--session", "--dbus-name=" + name,
        "--tcti=swtpm:host=127.0.0.1,port=" + port));
    if (ProcessHandle.current().info().user().orElse("").equals("root")) abrmd.add("--allow-root");
    spawn("abrmd", abrmd);
    waitFor(() -> {
      try {
        tool("tpm2_getrandom", "--hex", "4");
        return true;
      } catch (AssertionError e) {
        return false;
      }
    }, "tpm2-abrmd on " + name);
  }

  /** The TPM as the client's --tpm reaches it. */
  String swtpmSpec() {
    return "swtpm:host=127.0.0.1,port=" + port;
  }

  /** The environment of a process on this board: the resource manager's TCTI, the bus, the token store. */
  Map<String, String> environment() {
    return Map.copyOf(env);
  }

  /** Runs a tool of the board (tpm2-tools, tpm2_ptool) through the resource manager; its stdout. */
  String tool(String... command) throws Exception {
    return run(List.of(command), true);
  }

  private String run(List<String> command, boolean boardEnv) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    if (boardEnv) pb.environment().putAll(env);
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    pb.redirectError(err.toFile()).redirectOutput(out.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " not found: install swtpm, swtpm-tools, tpm2-tools, tpm2-abrmd, "
          + "tpm2-pkcs11-tools (scripts/ci-packages*.txt)", e);
    }
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish within 120s");
    }
    String stderr = Files.readString(err);
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(err);
    Files.delete(out);
    if (p.exitValue() != 0) throw new AssertionError(command + " exited " + p.exitValue() + ":\n" + stderr + stdout);
    return stdout;
  }

  private void spawn(String log, List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(log + ".log").toFile());
    pb.environment().putAll(env);
    processes.add(pb.start());
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private void waitFor(Check check, String what) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < end) {
      if (check.ok()) return;
      for (Process p : processes) {
        if (!p.isAlive()) throw new AssertionError(what + ": a process exited early; logs in " + dir);
      }
      Thread.sleep(50);
    }
    throw new AssertionError(what + " is not ready after 20s; logs in " + dir);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port p such that p and p + 1 are free now (swtpm's control port is the next one). */
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
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
