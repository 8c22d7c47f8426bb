package org.securecmd.daemon.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.attribute.GroupPrincipal;
import java.time.Duration;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.util.Set;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerCheckTest {
  private static final String ADMINS = "securecmd-admin:x:998:alice,bob";

  private static UnixDomainPrincipal peer(String user, String group) {
    UserPrincipal u = () -> user;
    GroupPrincipal g = () -> group;
    return new UnixDomainPrincipal(u, g);
  }

  @ParameterizedTest(name = "{0}/{1}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "root    | root            | -",
      "0       | 0               | -",
      "alice   | alice           | -",
      "carol   | securecmd-admin | -",
      "mallory | mallory         | user mallory (group mallory) is neither root nor in the admin group securecmd-admin",
      "alicex  | users           | user alicex (group users) is neither root nor in the admin group securecmd-admin",
      "65534   | 65534           | user 65534 (group 65534) is neither root nor in the admin group securecmd-admin",
  })
  void rootPrimaryGroupOrListedMember(String user, String group, String refusal) {
    PeerCheck check = new PeerCheck("securecmd-admin", name -> new GroupLookup.Found(ADMINS));
    assertEquals(Optional.ofNullable(refusal), check.refusal(peer(user, group)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"alice|root", "mallory|securecmd-admin"})
  void missingGroupAllowsOnlyRootAndSaysSo(String user, String group) {
    PeerCheck check = new PeerCheck("securecmd-admin", name -> new GroupLookup.Missing());
    assertEquals(Optional.of("user alice (group root) is neither root nor in the admin group securecmd-admin"
        + " (which does not exist)"), check.refusal(peer("alice", "root")));
    assertEquals(Optional.empty(), check.refusal(peer("root", "root")));
  }

  @org.junit.jupiter.api.Test
  void failedOrTimedOutLookupRefusesAndSaysWhy() {
    PeerCheck timedOut = new PeerCheck("securecmd-admin", name -> new GroupLookup.TimedOut(Duration.ofSeconds(3)));
    assertEquals(Optional.of("user alice (group users) is neither root nor in the admin group securecmd-admin"
        + " (group lookup timed out after 3 s)"), timedOut.refusal(peer("alice", "users")));
    assertEquals(Optional.empty(), timedOut.refusal(peer("carol", "securecmd-admin")), "primary group needs no lookup");
    PeerCheck failed = new PeerCheck("securecmd-admin", name -> new GroupLookup.Failed("getent exited with status 3"));
    assertEquals(Optional.of("user alice (group users) is neither root nor in the admin group securecmd-admin"
        + " (group lookup failed: getent exited with status 3)"), failed.refusal(peer("alice", "users")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "securecmd-admin:x:998:alice,bob   | alice,bob",
      "securecmd-admin:x:998:            | ''",
      "securecmd-admin:x:998:alice\\n    | alice",
      "broken                            | ''",
  })
  void membersOfAGroupLine(String line, String members) {
    Set<String> expected = members.isEmpty() ? Set.of() : Set.of(members.split(","));
    assertEquals(expected, PeerCheck.members(line.replace("\\n", "\n")));
  }
}
