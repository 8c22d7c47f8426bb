package org.securecmd.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.securecmd.daemon.ctl.Main;

/** Runs securecmdctl in this JVM against one admin socket and captures what it printed. */
record Ctl(Path socket) {
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("--socket", socket.toString()));
    all.addAll(List.of(args));
    return runRaw(all.toArray(String[]::new));
  }

  static Result runRaw(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
    return new Result(code, out.toString(UTF_8), err.toString(UTF_8));
  }
}
