package org.securecmd.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AllowListTest {
  private static final Identity DEVICE = new Identity("device-7", List.of("d7.fleet"), List.of("spiffe://fleet/d7"), "a1");

  private static AllowList list(String patterns) {
    return AllowList.of(patterns.isEmpty() ? List.of() : Arrays.asList(patterns.split(",")));
  }

  @ParameterizedTest(name = "[{index}] [{0}] -> device {1}, anonymous {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""                          | false | false
      *                           | true  | true
      device-7                    | true  | false
      device-*                    | true  | false
      trusted-client              | false | false
      trusted-client,device-7     | true  | false
      trusted-client,*            | true  | true
      d7.fleet                    | true  | false
      spiffe://fleet/*            | true  | false
      DEVICE-7                    | false | false
      """)
  void allowsWhenAnyPatternMatchesAndEmptyAllowsNobody(String patterns, boolean device, boolean anonymous) {
    AllowList allow = list(patterns);
    assertEquals(device, allow.allows(DEVICE));
    assertEquals(anonymous, allow.allows(Identity.ANONYMOUS));
  }

  @Test
  void listIsACopyThatLaterChangesDoNotReach() {
    List<IdentityPattern> patterns = new ArrayList<>();
    AllowList allow = new AllowList(patterns);
    patterns.add(new IdentityPattern("*"));
    assertFalse(allow.allows(DEVICE));
    assertThrows(UnsupportedOperationException.class, () -> allow.patterns().add(new IdentityPattern("*")));
  }

  @Test
  void emptyPatternInTheListIsRefused() {
    assertEquals("empty pattern",
        assertThrows(IllegalArgumentException.class, () -> AllowList.of(List.of("a", ""))).getMessage());
  }
}
