package org.securecmd.pki.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.securecmd.tls.SoftHsm.Tools;
import org.securecmd.tpm.Swtpm;

/**
 * A software TPM 2.0 stack for tests: a private D-Bus session bus, a {@link Swtpm} (the client's test
 * fixture: manufactured, on two loopback TCP ports), and tpm2-abrmd (the resource manager tpm2-pkcs11 needs)
 * on that bus. The bus address and the tpm2-pkcs11 store are fixed by the build (surefire sets
 * {@code DBUS_SESSION_BUS_ADDRESS=unix:path=target/tpm/bus} and {@code TPM2_PKCS11_STORE=target/tpm/store})
 * because the library reads them when it loads. Every wait is bounded; {@link #close} ends the three
 * processes.
 */
public final class SoftwareTpm implements AutoCloseable {
  public static final Path MODULE = Path.of("/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so");
  private final List<Process> processes = new ArrayList<>();
  private long dbusPid = -1;
  private Swtpm swtpm;
  private final Map<String, String> env;

  private SoftwareTpm(Map<String, String> env) {
    this.env = env;
  }

  public static SoftwareTpm start() throws Exception {
    if (!Files.isRegularFile(MODULE)) {
      throw new AssertionError(MODULE + " is missing: install libtpm2-pkcs11-1 (see scripts/ci-packages-pki.txt)");
    }
    String bus = System.getenv("DBUS_SESSION_BUS_ADDRESS");
    String store = System.getenv("TPM2_PKCS11_STORE");
    if (bus == null || !bus.startsWith("unix:path=") || store == null) {
      throw new AssertionError("DBUS_SESSION_BUS_ADDRESS / TPM2_PKCS11_STORE not set: run the tests through Maven");
    }
    Path busSocket = Path.of(bus.substring("unix:path=".length()));
    Path root = busSocket.getParent();
    deleteTree(root);
    Files.createDirectories(Path.of(store));
    SoftwareTpm tpm = new SoftwareTpm(Map.of("DBUS_SESSION_BUS_ADDRESS", bus, "TPM2_PKCS11_STORE", store,
        "TPM2_PKCS11_TCTI", "tabrmd:bus_type=session", "TPM2TOOLS_TCTI", "tabrmd:bus_type=session"));
    try {
      String pid = Tools.run(List.of("dbus-daemon", "--session", "--address=" + bus, "--fork", "--print-pid"), null, 15);
      tpm.dbusPid = Long.parseLong(pid.strip());
      tpm.swtpm = Swtpm.start(Files.createDirectories(root.resolve("swtpm")));
      List<String> abrmd = new ArrayList<>(List.of("tpm2-abrmd", "--session", "--tcti=" + tpm.swtpm.tcti()));
      if (ProcessHandle.current().info().user().orElse("").equals("root")) abrmd.add("--allow-root");
      tpm.spawn(root.resolve("abrmd.log"), abrmd.toArray(new String[0]));
      tpm.waitForResourceManager(root.resolve("abrmd.log"), 20);
      return tpm;
    } catch (Throwable t) {
      tpm.close();
      throw t;
    }
  }

  /** Creates a tpm2-pkcs11 token with a user PIN; its slot id is 1 (the first token in a fresh store). */
  public long addToken(String label, String userPin) throws Exception {
    Tools.run(List.of("tpm2_ptool", "init"), env, 60);
    Tools.run(List.of("tpm2_ptool", "addtoken", "--pid=1", "--label=" + label, "--sopin=5678", "--userpin=" + userPin),
        env, 60);
    return 1;
  }

  private void spawn(Path log, String... command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    try {
      processes.add(pb.start());
    } catch (IOException e) {
      throw new AssertionError(command[0] + " not found (" + e.getMessage() + "): install scripts/ci-packages-pki.txt", e);
    }
  }

  private void waitForResourceManager(Path log, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AssertionError last = null;
    while (System.nanoTime() < end) {
      for (Process p : processes) {
        if (!p.isAlive()) throw new AssertionError("a TPM process exited early:\n" + Files.readString(log));
      }
      try {
        Tools.run(List.of("tpm2_getrandom", "--hex", "4"), env, 10);
        return;
      } catch (AssertionError e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw new AssertionError("tpm2-abrmd not answering after " + seconds + "s:\n" + Files.readString(log), last);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    if (swtpm != null) swtpm.close();
    if (dbusPid > 0) ProcessHandle.of(dbusPid).ifPresent(ProcessHandle::destroy);
  }
}
