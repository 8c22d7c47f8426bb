package org.securecmd.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.securecmd.tpm.Swtpm;

/**
 * A board's TPM stack for the enroll tests, all real: a manufactured {@link Swtpm} (RSA-2048 and P-384 EKs
 * whose certificates a CA of this test signs, {@link #ekCa}) on a free loopback port pair; tpm2-abrmd in front
 * of it on a private D-Bus session bus under a bus name of its own (what /dev/tpmrm0 is on a board: tpm2_ptool and tpm2-pkcs11 need a resource manager); and a
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
  private Swtpm tpm;

  private TpmBoard(Path dir) {
    this.dir = dir;
    this.ekCa = dir.resolve("ca/cert.pem");
  }

  static TpmBoard start(Path dir) throws Exception {
    if (!Files.isRegularFile(MODULE)) throw new AssertionError(MODULE + " is missing: install libtpm2-pkcs11-1");
    TpmBoard b = new TpmBoard(dir);
    try {
      b.serve();
      return b;
    } catch (Throwable t) {
      b.close();
      throw t;
    }
  }

  private void serve() throws Exception {
    tpm = Swtpm.start(dir);
    String bus = "unix:path=" + dir.resolve("bus");
    spawn("dbus", List.of("dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=" + bus));
    waitFor(() -> Files.exists(dir.resolve("bus")), "dbus-daemon's socket");
    String name = "com.intel.tss2.Tabrmd.enroll" + ProcessHandle.current().pid() + "x" + System.nanoTime() % 100000;
    String tcti = "tabrmd:bus_type=session,bus_name=" + name;
    Path store = Files.createDirectories(dir.resolve("pkcs11-store"));
    env.putAll(Map.of("DBUS_SESSION_BUS_ADDRESS", bus, "TPM2TOOLS_TCTI", tcti, "TPM2_PKCS11_TCTI", tcti,
        "TPM2_PKCS11_STORE", store.toString(), "TPM2_PKCS11_LOG_LEVEL", "0"));
    List<String> abrmd = new ArrayList<>(List.of("tpm2-abrmd", "--session", "--dbus-name=" + name,
        "--tcti=" + tpm.tcti()));
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
    return tpm.tcti();
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

  @Override
  public void close() throws InterruptedException {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    if (tpm != null) tpm.close();
  }
}
