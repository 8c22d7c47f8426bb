package org.securecmd.pki.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code securecmd-pki} in-process and keeps exit code, stdout and stderr. */
public record Cli(int code, String out, String err) {
  public static Cli run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Fails with the output unless the exit code is 0. */
  public Cli ok() {
    if (code != 0) throw new AssertionError("securecmd-pki exited " + code + ":\n" + out + err);
    return this;
  }
}
