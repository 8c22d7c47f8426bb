package org.securecmd.daemon.admin;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A group's entry as {@code getent group NAME} reports it (so /etc/group and any NSS source such as LDAP
 * count), bounded in time: a lookup that has not finished within the timeout is killed, with every process
 * it started, and answers {@link TimedOut}. Its output is read on its own thread, so a child that writes
 * nothing and never exits cannot hold the caller past the timeout.
 *
 * <p>Answers (timeouts included) are kept for {@link #CACHE_FOR}: a burst of admin requests, or a hung NSS
 * backend, then costs one lookup instead of one per request (each of which would pin an admin permit), and
 * a change to the group's members takes effect within that time. Lookups run one at a time; a caller
 * arriving while one is in progress waits for it and takes its answer.
 */
final class GroupLookup implements Function<String, GroupLookup.Result> {
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  static final Duration CACHE_FOR = Duration.ofSeconds(5);
  /** A group listing more members than fit in this is refused rather than read without bound. */
  private static final int MAX_OUTPUT_BYTES = 1 << 20;
  /** getent's exit status for "no such key". */
  private static final int NOT_FOUND = 2;

  /** What a lookup found. */
  sealed interface Result {}

  /** The group's line, {@code name:x:gid:member1,member2}. */
  record Found(String line) implements Result {}

  /** No such group. */
  record Missing() implements Result {}

  /** The lookup was killed after {@code after}. */
  record TimedOut(Duration after) implements Result {}

  /** getent could not run or answered something else; {@code reason} says what. */
  record Failed(String reason) implements Result {}

  private record Cached(Result result, long atNanos) {}

  private final List<String> command;
  private final Duration timeout;
  private final Duration cacheFor;
  private final LongSupplier nanoTime;
  private final Map<String, Cached> cache = new HashMap<>();

  /** {@code getent group NAME} with the default timeout and cache time. */
  GroupLookup() {
    this(List.of("getent", "group"), TIMEOUT, CACHE_FOR, System::nanoTime);
  }

  /** @param command run with the group name appended; tests pass a stand-in for getent */
  GroupLookup(List<String> command, Duration timeout, Duration cacheFor, LongSupplier nanoTime) {
    this.command = List.copyOf(command);
    this.timeout = timeout;
    this.cacheFor = cacheFor;
    this.nanoTime = nanoTime;
  }

  @Override
  public synchronized Result apply(String group) {
    long now = nanoTime.getAsLong();
    Cached c = cache.get(group);
    if (c != null && now - c.atNanos() < cacheFor.toNanos()) return c.result();
    Result r = run(group);
    cache.put(group, new Cached(r, nanoTime.getAsLong()));
    return r;
  }

  private Result run(String group) {
    List<String> argv = new ArrayList<>(command);
    argv.add(group);
    Process p;
    try {
      p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      p.getOutputStream().close();
    } catch (IOException e) {
      return new Failed("cannot run " + command.getFirst() + ": " + e.getMessage());
    }
    CompletableFuture<byte[]> output = new CompletableFuture<>();
    // The one thread made outside DaemonThreads, on purpose: it drains the pipe of the child this method
    // started and ends with it (within the timeout, as the child is killed then), like the JDK's own
    // process reaper; it is not a service thread, so there is nothing for the daemon to own or stop.
    Thread.ofVirtual().name("getent-output").start(() -> read(p.getInputStream(), output));
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        kill(p);
        return new TimedOut(timeout);
      }
      // A child it left behind may still hold the pipe open: the deadline covers the output too.
      byte[] out = output.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return answer(group, p.exitValue(), out);
    } catch (TimeoutException e) {
      kill(p);
      return new TimedOut(timeout);
    } catch (ExecutionException e) {
      kill(p);
      return new Failed(e.getCause().getMessage());
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      return new Failed("interrupted");
    }
  }

  private Result answer(String group, int exit, byte[] out) {
    if (exit == NOT_FOUND) return new Missing();
    if (exit != 0) return new Failed(command.getFirst() + " exited with status " + exit);
    String line = new String(out, UTF_8).lines().findFirst().orElse("");
    return line.startsWith(group + ":") ? new Found(line) : new Missing();
  }

  private static void read(InputStream in, CompletableFuture<byte[]> result) {
    try (in) {
      byte[] b = in.readNBytes(MAX_OUTPUT_BYTES + 1);
      if (b.length > MAX_OUTPUT_BYTES) result.completeExceptionally(new IOException("group entry over 1 MiB"));
      else result.complete(b);
    } catch (IOException e) {
      result.completeExceptionally(e);
    }
  }

  /** Kills the process and what it started (collected first: once it dies, they are no longer its descendants). */
  private static void kill(Process p) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
  }
}
