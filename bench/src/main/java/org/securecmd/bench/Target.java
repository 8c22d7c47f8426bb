package org.securecmd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A server under test: where it listens and which processes make it up (for stunnel, stunnel and its
 * plaintext backend), read from /proc for RSS and CPU time.
 */
record Target(String name, String host, int port, List<Long> pids, boolean jvm) {
  /** {@code name=host:port:pid[,pid...][:jvm]} ({@code jvm}: the first process is a JVM, jcmd can collect) */
  static Target parse(String spec) {
    String[] nv = spec.split("=", 2);
    String[] p = nv[1].split(":");
    List<Long> pids = java.util.Arrays.stream(p[2].split(",")).map(Long::parseLong).toList();
    return new Target(nv[0], p[0], Integer.parseInt(p[1]), pids, p.length > 3 && p[3].equals("jvm"));
  }

  /**
   * For a JVM, a full GC ({@code jcmd PID GC.run}) so an RSS reading shows what is held rather than garbage
   * not yet collected; returns false (and does nothing) for other processes.
   */
  boolean collectGarbage() {
    if (!jvm) return false;
    try {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(pids.get(0)), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Resident set of all processes, KiB (VmRSS from /proc/PID/status). */
  long rssKib() {
    long sum = 0;
    for (long pid : pids) {
      try {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (l.startsWith("VmRSS:")) sum += Long.parseLong(l.replaceAll("\\D", ""));
        }
      } catch (IOException e) {
        throw new IllegalStateException(name + ": process " + pid + " is gone", e);
      }
    }
    return sum;
  }

  /** utime + stime of all processes (all threads), in clock ticks (fields 14 and 15 of /proc/PID/stat). */
  long cpuTicks() {
    long sum = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15 counted from after "pid (comm) "
      } catch (IOException e) {
        throw new IllegalStateException(name + ": process " + pid + " is gone", e);
      }
    }
    return sum;
  }

  /** Open file descriptors of the first process. */
  long fds() {
    try (var s = Files.list(Path.of("/proc/" + pids.get(0) + "/fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Threads of all processes (Threads: in /proc/PID/status). */
  long threads() {
    long sum = 0;
    for (long pid : pids) {
      try {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (l.startsWith("Threads:")) sum += Long.parseLong(l.replaceAll("\\D", ""));
        }
      } catch (IOException e) {
        return -1;
      }
    }
    return sum;
  }
}
