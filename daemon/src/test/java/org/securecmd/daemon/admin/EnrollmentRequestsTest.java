package org.securecmd.daemon.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.securecmd.daemon.state.RegistryFile;

/** The {@code enroll} admin requests: one row per malformed request, and who a change is recorded as. */
class EnrollmentRequestsTest {
  private static final String EK = "ab".repeat(32);
  @TempDir Path dir;

  private EnrollmentRequests requests() {
    return new EnrollmentRequests(new RegistryFile(dir), Clock.fixed(Instant.parse("2026-12-07T04:00:00Z"),
        ZoneOffset.UTC), "host-a");
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("", "BAD_REQUEST", "expected \"enroll list\", \"enroll pending\", \"enroll add NAME EK-SHA256\","
            + " \"enroll remove NAME\", \"enroll approve ID NAME\", \"enroll reject ID\" or \"enroll import"
            + " LINE:NAME,EK-SHA256 ...\""),
        Arguments.of("list x", "BAD_REQUEST", "enroll list takes no argument"),
        Arguments.of("add dev-1", "BAD_REQUEST", "expected \"enroll add NAME EK-SHA256\""),
        Arguments.of("add dev-1 abc", "BAD_REQUEST", "\"abc\" is not an EK SHA-256 (64 hex digits)"),
        Arguments.of("add " + "x".repeat(65) + " " + EK, "BAD_REQUEST", "\"" + "x".repeat(65) + "\": a device name is 1"
            + " to 64 characters without white space, commas or control characters"),
        Arguments.of("add a,b " + EK, "BAD_REQUEST", "\"a,b\": a device name is 1 to 64 characters without white"
            + " space, commas or control characters"),
        Arguments.of("add dev-1 " + EK + "\tby=bad user", "BAD_REQUEST", "expected \"enroll list\", \"enroll"
            + " pending\", \"enroll add NAME EK-SHA256\", \"enroll remove NAME\", \"enroll approve ID NAME\", \"enroll"
            + " reject ID\" or \"enroll import LINE:NAME,EK-SHA256 ...\", then optionally a tab and by=USER"),
        Arguments.of("remove dev-1", "NOT_FOUND", "\"dev-1\" is not registered"),
        Arguments.of("approve 000000000000 dev-1", "NOT_FOUND", "no pending enrollment 000000000000"),
        Arguments.of("reject 000000000000", "NOT_FOUND", "no pending enrollment 000000000000"),
        Arguments.of("import", "BAD_REQUEST", "enroll import needs entries"),
        Arguments.of("import dev-1," + EK, "BAD_REQUEST", "enroll import: \"dev-1," + EK + "\" is not LINE:NAME,EK-SHA256"));
  }

  @ParameterizedTest(name = "[{index}] enroll {0}")
  @MethodSource("badRequests")
  void aMalformedRequestIsRefusedWithItsCode(String arg, String code, String message) {
    Map<String, Object> reply = requests().answer(arg);
    assertEquals(false, reply.get("ok"));
    assertEquals(code, reply.get("error"));
    assertEquals(message, reply.get("message"));
  }

  @Test
  void aChangeIsRecordedAsUserAtHost() {
    EnrollmentRequests r = requests();
    assertEquals(true, r.answer("add dev-1 " + EK.toUpperCase() + "\tby=alice").get("ok"));
    Map<?, ?> one = (Map<?, ?>) ((List<?>) r.answer("list").get("registrations")).get(0);
    assertEquals(Map.of("name", "dev-1", "ek_sha256", EK, "registered_at", "2026-12-07T04:00:00Z", "by", "alice@host-a"),
        one);
    assertEquals(Map.of("registered", 1, "pending", 0), r.status());
  }
}
