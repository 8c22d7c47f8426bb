package org.securecmd.bench.pkcs11;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A software TPM 2.0 stack: a private D-Bus session bus, swtpm on two loopback TCP ports, and tpm2-abrmd
 * (the resource manager tpm2-pkcs11 needs) on that bus. The bus address and the tpm2-pkcs11 store come from
 * bench/pkcs11-bench.sh ({@code DBUS_SESSION_BUS_ADDRESS}, {@code TPM2_PKCS11_STORE}) because the library
 * reads them when it loads; the script also gives them a fresh directory per run. Every wait is bounded;
 * {@link #close} ends the three processes.
 */
final class SoftwareTpm implements AutoCloseable {
  static final Path MODULE = Path.of("/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so");
  private final List<Process> processes = new ArrayList<>();
  private final Map<String, String> env;
  private long dbusPid = -1;

  private SoftwareTpm(Map<String, String> env) {
    this.env = env;
  }

  static SoftwareTpm start() throws IOException, InterruptedException {
    if (!Files.isRegularFile(MODULE)) {
      throw new IOException(MODULE + " is missing: install libtpm2-pkcs11-1 (see scripts/ci-packages-pki.txt)");
    }
    String bus = System.getenv("DBUS_SESSION_BUS_ADDRESS");
    String store = System.getenv("TPM2_PKCS11_STORE");
    if (bus == null || !bus.startsWith("unix:path=") || store == null) {
      throw new IOException("DBUS_SESSION_BUS_ADDRESS / TPM2_PKCS11_STORE not set: run bench/pkcs11-bench.sh");
    }
    Path root = Path.of(bus.substring("unix:path=".length())).getParent();
    Path state = Files.createDirectories(root.resolve("state"));
    Files.createDirectories(Path.of(store));
    SoftwareTpm tpm = new SoftwareTpm(Map.of("DBUS_SESSION_BUS_ADDRESS", bus, "TPM2_PKCS11_STORE", store,
        "TPM2_PKCS11_TCTI", "tabrmd:bus_type=session", "TPM2TOOLS_TCTI", "tabrmd:bus_type=session"));
    try {
      String pid = Commands.run(List.of("dbus-daemon", "--session", "--address=" + bus, "--fork", "--print-pid"),
          Map.of(), 15);
      tpm.dbusPid = Long.parseLong(pid.strip());
      int port = Loopback.freePortPair();
      int ctrl = port + 1; // the swtpm TCTI always uses the next port for control
      tpm.spawn(root.resolve("swtpm.log"), "swtpm", "socket", "--tpm2", "--server", "type=tcp,port=" + port,
          "--ctrl", "type=tcp,port=" + ctrl, "--flags", "not-need-init,startup-clear", "--tpmstate", "dir=" + state);
      Process swtpm = tpm.processes.get(tpm.processes.size() - 1);
      Loopback.awaitListening(swtpm, "swtpm", port, root.resolve("swtpm.log"), 15);
      List<String> abrmd = new ArrayList<>(List.of("tpm2-abrmd", "--session", "--tcti=swtpm:port=" + port));
      if (ProcessHandle.current().info().user().orElse("").equals("root")) abrmd.add("--allow-root");
      tpm.spawn(root.resolve("abrmd.log"), abrmd.toArray(new String[0]));
      tpm.waitForResourceManager(root.resolve("abrmd.log"), 20);
      return tpm;
    } catch (IOException | InterruptedException | RuntimeException e) {
      tpm.close();
      throw e;
    }
  }

  /** Creates a tpm2-pkcs11 token with a user PIN; its slot id is 1 (the first token in a fresh store). */
  long addToken(String label, String userPin) throws IOException, InterruptedException {
    Commands.run(List.of("tpm2_ptool", "init"), env, 60);
    Commands.run(List.of("tpm2_ptool", "addtoken", "--pid=1", "--label=" + label, "--sopin=5678",
        "--userpin=" + userPin), env, 60);
    return 1;
  }

  private void spawn(Path log, String... command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    try {
      processes.add(pb.start());
    } catch (IOException e) {
      throw new IOException(command[0] + " not found (" + e.getMessage() + "): install scripts/ci-packages-pki.txt", e);
    }
  }

  private void waitForResourceManager(Path log, int seconds) throws IOException, InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    IOException last = null;
    while (System.nanoTime() < end) {
      for (Process p : processes) {
        if (!p.isAlive()) throw new IOException("a TPM process exited early:\n" + Files.readString(log));
      }
      try {
        Commands.run(List.of("tpm2_getrandom", "--hex", "4"), env, 10);
        return;
      } catch (IOException e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw new IOException("tpm2-abrmd not answering after " + seconds + "s:\n" + Files.readString(log), last);
  }

  @Override
  public void close() throws InterruptedException {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    if (dbusPid > 0) ProcessHandle.of(dbusPid).ifPresent(ProcessHandle::destroy);
  }
}
