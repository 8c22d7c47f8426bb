package org.securecmd.bench.pkcs11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the token tools (softhsm2-util, tpm2_ptool, ...) with a bound on their run time. */
final class Commands {
  private Commands() {}

  /** Runs {@code command}; returns stdout+stderr, or throws with them if it fails or outlives {@code seconds}. */
  static String run(List<String> command, Map<String, String> env, int seconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException(command.get(0) + " not found or not runnable (" + e.getMessage()
          + "): install the packages in scripts/ci-packages-pki.txt", e);
    }
    p.getOutputStream().close();
    byte[] bytes = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish in " + seconds + "s");
    }
    String out = new String(bytes, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
    return out;
  }
}
