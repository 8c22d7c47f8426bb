package org.securecmd.daemon.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ListenFdsTest {
  private static final long PID = 4242;

  /** env as "KEY=value" strings; a null value means the variable is unset. */
  private static Map<String, String> env(String pid, String fds, String names) {
    Map<String, String> env = new HashMap<>();
    if (pid != null) env.put("LISTEN_PID", pid);
    if (fds != null) env.put("LISTEN_FDS", fds);
    if (names != null) env.put("LISTEN_FDNAMES", names);
    return env;
  }

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("nothing set", env(null, null, null), Map.of()),
        Arguments.of("fds without pid", env(null, "1", "main"), Map.of()),
        Arguments.of("pid without fds", env("4242", null, null), Map.of()),
        Arguments.of("other process's fds", env("4243", "1", "main"), Map.of()),
        Arguments.of("zero fds", env("4242", "0", null), Map.of()),
        Arguments.of("zero fds, empty names", env("4242", "0", ""), Map.of()),
        Arguments.of("one named", env("4242", "1", "main"), Map.of("main", List.of(3))),
        Arguments.of("names missing", env("4242", "2", null), Map.of("unknown", List.of(3, 4))),
        Arguments.of("two named", env("4242", "2", "main:admin"),
            Map.of("main", List.of(3), "admin", List.of(4))),
        Arguments.of("shared name", env("4242", "3", "main:admin:main"),
            Map.of("main", List.of(3, 5), "admin", List.of(4))),
        Arguments.of("empty name", env("4242", "2", ":admin"),
            Map.of("unknown", List.of(3), "admin", List.of(4))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void parsesAsSystemdDoes(String label, Map<String, String> env, Map<String, List<Integer>> want) {
    assertEquals(want, ListenFds.parse(env, PID));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(env("abc", "1", null), "LISTEN_PID=\"abc\": not a decimal number"),
        Arguments.of(env("", "1", null), "LISTEN_PID=\"\": not a decimal number"),
        Arguments.of(env("0", "1", null), "LISTEN_PID=\"0\": must be at least 1"),
        Arguments.of(env("-4242", "1", null), "LISTEN_PID=\"-4242\": not a decimal number"),
        Arguments.of(env("4242", "x", null), "LISTEN_FDS=\"x\": not a decimal number"),
        Arguments.of(env("4242", "+1", null), "LISTEN_FDS=\"+1\": not a decimal number"),
        Arguments.of(env("4242", "-1", null), "LISTEN_FDS=\"-1\": not a decimal number"),
        Arguments.of(env("4242", " 1", null), "LISTEN_FDS=\" 1\": not a decimal number"),
        Arguments.of(env("4242", "99999999999", null), "LISTEN_FDS=\"99999999999\": too large"),
        Arguments.of(env("4242", "2", "main"),
            "LISTEN_FDNAMES=\"main\": 1 names for LISTEN_FDS=2 descriptors"),
        Arguments.of(env("4242", "1", "main:admin"),
            "LISTEN_FDNAMES=\"main:admin\": 2 names for LISTEN_FDS=1 descriptors"),
        Arguments.of(env("4242", "1", ""),
            "LISTEN_FDNAMES=\"\": 0 names for LISTEN_FDS=1 descriptors"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalid")
  void rejectsMalformedValuesNamingTheVariable(Map<String, String> env, String message) {
    var e = assertThrows(IllegalArgumentException.class, () -> ListenFds.parse(env, PID));
    assertEquals(message, e.getMessage());
  }
}
