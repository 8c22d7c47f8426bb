package org.securecmd.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the {@code openssl} CLI for tests that need keys and certificates made exactly as the tutorial does. */
final class Openssl {
  static final String OPENSSL = "/usr/bin/openssl";

  private Openssl() {}

  /** Runs openssl in {@code dir}; throws with openssl's output when it fails. */
  static void run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(OPENSSL));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed (" + rc + "): " + output);
    }
  }
}
