package org.securecmd.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SoftHSM2 tokens for tests. SoftHSM reads {@code SOFTHSM2_CONF} when the module is initialised, so the
 * build sets it (surefire {@code environmentVariables}) to {@code target/softhsm2/softhsm2.conf}; this
 * class writes that file and its token directory. Every tool missing is a test failure naming the package.
 */
public final class SoftHsm {
  public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  public static final String SO_PIN = "5678";
  private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

  private static boolean wiped;

  private SoftHsm() {}

  /** Initialises a new token labelled {@code label} with user PIN {@code pin}; returns its slot id. */
  public static synchronized long initToken(String label, String pin) throws IOException, InterruptedException {
    if (!Files.isRegularFile(MODULE)) {
      throw new AssertionError(MODULE + " is missing: install softhsm2 (see scripts/ci-packages-pki.txt)");
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) throw new AssertionError("SOFTHSM2_CONF is not set: run the tests through Maven (surefire sets it)");
    Path confFile = Path.of(conf);
    Path tokens = confFile.resolveSibling("tokens");
    if (!wiped) { // tokens from an earlier build would share labels with this one's
      if (Files.exists(tokens)) {
        try (var walk = Files.walk(tokens)) {
          for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
      }
      wiped = true;
    }
    Files.createDirectories(tokens);
    Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    String out = Tools.run(List.of("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin,
        "--so-pin", SO_PIN));
    Matcher m = SLOT.matcher(out);
    if (!m.find()) throw new AssertionError("softhsm2-util did not say which slot: " + out);
    return Long.parseLong(m.group(1));
  }

  /** Runs external tools with a bound on their run time. */
  public static final class Tools {
    private Tools() {}

    /** Runs {@code command}; returns stdout+stderr, or fails the test with them if the exit code is not 0. */
    public static String run(List<String> command) throws IOException, InterruptedException {
      return run(command, null, 60);
    }

    public static String run(List<String> command, java.util.Map<String, String> env, int seconds)
        throws IOException, InterruptedException {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      if (env != null) pb.environment().putAll(env);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new AssertionError(command.get(0) + " not found or not runnable (" + e.getMessage()
            + "): install the packages in scripts/ci-packages-pki.txt", e);
      }
      p.getOutputStream().close();
      byte[] bytes = p.getInputStream().readAllBytes();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + "s");
      }
      String out = new String(bytes, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
      }
      return out;
    }
  }
}
