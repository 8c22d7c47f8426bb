package org.securecmd.daemon.systemd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sockets systemd passed to this process, by name: a pure reading of {@code LISTEN_PID},
 * {@code LISTEN_FDS} and {@code LISTEN_FDNAMES} as sd_listen_fds_with_names(3) defines them.
 *
 * <pre>{@code
 * Map<String, List<Integer>> fds = ListenFds.parse(System.getenv(), ProcessHandle.current().pid());
 * List<Integer> main = fds.getOrDefault("main", List.of());   // e.g. [3]
 * }</pre>
 */
final class ListenFds {
  /** systemd passes its sockets from this descriptor on (SD_LISTEN_FDS_START). */
  static final int FIRST_FD = 3;

  /** The name systemd reports for a socket without {@code FileDescriptorName=}. */
  static final String UNKNOWN = "unknown";

  private ListenFds() {}

  /**
   * Returns the passed descriptors grouped by name, names in the order of their first
   * descriptor. Empty when {@code LISTEN_PID} or {@code LISTEN_FDS} is unset, or when
   * {@code LISTEN_PID} names another process: the variables were then meant for a parent and
   * leaked to us, so systemd's own library ignores them too.
   *
   * @throws IllegalArgumentException if a variable is malformed, or the number of names differs
   *     from {@code LISTEN_FDS}; the message names the variable and shows its value
   */
  public static Map<String, List<Integer>> parse(Map<String, String> env, long ownPid) {
    String pid = env.get("LISTEN_PID");
    String count = env.get("LISTEN_FDS");
    if (pid == null || count == null) return Map.of();
    if (number("LISTEN_PID", pid, 1) != ownPid) return Map.of();
    long n = number("LISTEN_FDS", count, 0);
    if (n > Integer.MAX_VALUE - FIRST_FD) {
      throw new IllegalArgumentException("LISTEN_FDS=\"" + count + "\": too large");
    }
    List<String> names = names(env.get("LISTEN_FDNAMES"), (int) n);
    Map<String, List<Integer>> byName = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byName.computeIfAbsent(names.get(i), k -> new ArrayList<>()).add(FIRST_FD + i);
    }
    byName.replaceAll((k, v) -> List.copyOf(v));
    return Collections.unmodifiableMap(byName);
  }

  private static List<String> names(String value, int n) {
    if (value == null) return Collections.nCopies(n, UNKNOWN);
    // split with -1 keeps empty names, so "a::b" counts three; an empty one becomes "unknown".
    String[] parts = value.isEmpty() ? new String[0] : value.split(":", -1);
    if (parts.length != n) {
      throw new IllegalArgumentException("LISTEN_FDNAMES=\"" + value + "\": " + parts.length
          + " names for LISTEN_FDS=" + n + " descriptors");
    }
    List<String> names = new ArrayList<>(n);
    for (String part : parts) names.add(part.isEmpty() ? UNKNOWN : part);
    return names;
  }

  private static long number(String key, String value, long min) {
    // Digits only: Long.parseLong would also take "+3", which systemd never writes.
    if (!value.matches("[0-9]{1,18}")) {
      throw new IllegalArgumentException(key + "=\"" + value + "\": not a decimal number");
    }
    long parsed = Long.parseLong(value);
    if (parsed < min) {
      throw new IllegalArgumentException(key + "=\"" + value + "\": must be at least " + min);
    }
    return parsed;
  }
}
