package org.securecmd.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The daemon as its own JVM ({@code java -cp <test classpath> org.securecmd.daemon.Main}), for what only a
 * process shows: exit codes, signals, stderr. Output lines are collected for bounded waits.
 */
public final class DaemonProcess implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());

  private DaemonProcess(Process process) {
    this.process = process;
    Thread.ofPlatform().daemon().name("daemon-output").start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          seen.add(l);
          lines.add(l);
        }
      } catch (IOException ignored) {
        // process ended
      }
    });
  }

  /** Starts {@code main} with {@code args}; stdout and stderr are merged. */
  public static DaemonProcess start(String main, String... args) throws IOException {
    return start(java.util.Map.of(), main, args);
  }

  /** As {@link #start(String, String...)}, with {@code env} added to this process's environment. */
  public static DaemonProcess start(java.util.Map<String, String> env, String main, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    return new DaemonProcess(pb.start());
  }

  /** Any other program (HAProxy), with the same output collection. */
  public static DaemonProcess of(ProcessBuilder builder) throws IOException {
    return new DaemonProcess(builder.redirectErrorStream(true).start());
  }

  public static DaemonProcess daemon(Path config, String... extra) throws IOException {
    List<String> a = new ArrayList<>(List.of("--config", config.toString()));
    a.addAll(List.of(extra));
    return start("org.securecmd.daemon.Main", a.toArray(new String[0]));
  }

  /** Waits for a line matching {@code what}; fails with everything seen so far. */
  public String await(Predicate<String> what, Duration bound, String description) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
      if (l == null) throw new AssertionError("no " + description + " within " + bound + "; output:\n" + output());
      if (what.test(l)) return l;
    }
  }

  /** Waits for exit within {@code bound} and returns the exit code. */
  public int exitCode(Duration bound) throws InterruptedException {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("process did not exit within " + bound + "; output:\n" + output());
    }
    return process.exitValue();
  }

  /** Sends a signal with kill(1); unlike {@link Process#destroy()} it leaves the output pipe open. */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) throw new AssertionError("kill -" + name + " failed");
  }

  public Process process() {
    return process;
  }

  public String output() {
    synchronized (seen) {
      return String.join("\n", seen);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
