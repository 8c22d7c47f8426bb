package org.securecmd.daemon.attest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.securecmd.tpm.Swtpm;

/**
 * A resource manager in front of a {@link Swtpm}: tpm2-abrmd on a private session bus (a dbus-daemon of its
 * own, socket in {@code dir}), under a bus name of its own so tests do not meet. What /dev/tpmrm0 is on a
 * board: several clients at once (OpenSSL's tpm2 provider holds the TPM for a whole TLS connection while
 * tpm2-tools quote) and objects swapped out instead of 0x902. {@link #environment} is what a client needs.
 */
final class Tabrmd implements AutoCloseable {
  private final Path dir;
  private final String busAddress;
  private final String busName;
  private Process bus;
  private Process abrmd;

  private Tabrmd(Path dir) {
    this.dir = dir;
    this.busAddress = "unix:path=" + dir.resolve("bus");
    this.busName = "com.intel.tss2.Tabrmd.t" + ProcessHandle.current().pid() + "x" + System.nanoTime() % 100000;
  }

  static Tabrmd start(Path dir, Swtpm tpm) throws Exception {
    Files.createDirectories(dir);
    Tabrmd rm = new Tabrmd(dir);
    try {
      rm.bus = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=" + rm.busAddress)
          .redirectErrorStream(true).redirectOutput(dir.resolve("dbus.log").toFile()).start();
      waitFor(() -> Files.exists(dir.resolve("bus")), rm.bus, "dbus-daemon's socket " + dir.resolve("bus"),
          dir.resolve("dbus.log"));
      ProcessBuilder pb = new ProcessBuilder("tpm2-abrmd", "--session", "--allow-root", "--dbus-name=" + rm.busName,
          "--tcti=" + tpm.tcti()).redirectErrorStream(true).redirectOutput(dir.resolve("abrmd.log").toFile());
      pb.environment().put("DBUS_SESSION_BUS_ADDRESS", rm.busAddress);
      rm.abrmd = pb.start();
      waitFor(rm::answers, rm.abrmd, "tpm2-abrmd on " + rm.busName, dir.resolve("abrmd.log"));
      return rm;
    } catch (Throwable t) {
      rm.close();
      throw t;
    }
  }

  /** TPM2TOOLS_TCTI and the session bus, for tpm2-tools and the tpm2 provider. */
  Map<String, String> environment() {
    return Map.of("TPM2TOOLS_TCTI", "tabrmd:bus_type=session,bus_name=" + busName,
        "DBUS_SESSION_BUS_ADDRESS", busAddress);
  }

  /** What tpm2-abrmd said, and whether it still runs: for a failing test's message. */
  String status() {
    try {
      return "tpm2-abrmd " + (abrmd.isAlive() ? "running" : "exited " + abrmd.exitValue()) + ":\n"
          + Files.readString(dir.resolve("abrmd.log"));
    } catch (java.io.IOException e) {
      return "tpm2-abrmd's log: " + e;
    }
  }

  private boolean answers() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("tpm2_getcap", "handles-persistent").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(environment());
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return false;
    }
    return p.exitValue() == 0;
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void waitFor(Check check, Process process, String what, Path log) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < end) {
      if (check.ok()) return;
      if (!process.isAlive()) throw new AssertionError(what + ": the process exited:\n" + Files.readString(log));
      Thread.sleep(50);
    }
    throw new AssertionError(what + " is not ready after 15s:\n" + Files.readString(log));
  }

  @Override
  public void close() throws InterruptedException {
    stop(abrmd);
    stop(bus);
  }

  private static void stop(Process p) throws InterruptedException {
    if (p == null) return;
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }
}
