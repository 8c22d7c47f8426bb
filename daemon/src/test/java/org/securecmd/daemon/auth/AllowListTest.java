package org.securecmd.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @ParameterizedTest(name = "[{index}] [{0}] -> device {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""                          | false
      *                           | true
      **                          | true
      device-7                    | true
      device-*                    | true
      trusted-client              | false
      trusted-client,device-7     | true
      trusted-client,*            | true
      d7.fleet                    | true
      spiffe://fleet/*            | true
      DEVICE-7                    | false
      anonymous                   | false
      """)
  void allowsWhenAnyPatternMatchesAndEmptyAllowsNobody(String patterns, boolean device) {
    AllowList allow = list(patterns);
    assertEquals(device, allow.allows(DEVICE));
    assertFalse(allow.allows(Identity.ANONYMOUS), "no pattern admits a client without a certificate");
    assertEquals(device, AllowList.of(allow.patterns().stream().map(IdentityPattern::text).toList(), true)
        .allows(DEVICE), "allow_anonymous changes nothing for certified clients");
  }

  @ParameterizedTest(name = "[{index}] [{0}]")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      ""
      *
      device-*
      anonymous
      """)
  void onlyTheAnonymousFlagAdmitsClientsWithoutACertificate(String patterns) {
    List<String> p = patterns.isEmpty() ? List.of() : List.of(patterns);
    assertFalse(AllowList.of(p).allows(Identity.ANONYMOUS));
    assertFalse(AllowList.of(p, false).allows(Identity.ANONYMOUS));
    assertTrue(AllowList.of(p, true).allows(Identity.ANONYMOUS));
  }

  @Test
  void aCertificateNamedAnonymousIsACertifiedClientLikeAnyOther() {
    Identity namedAnonymous = new Identity("anonymous", List.of(), List.of(), "2");
    assertFalse(namedAnonymous.isAnonymous());
    assertFalse(AllowList.of(List.of(), true).allows(namedAnonymous), "allow_anonymous does not admit it");
    assertTrue(AllowList.of(List.of("anonymous")).allows(namedAnonymous), "a pattern for its CN does");
    assertTrue(AllowList.of(List.of("*")).allows(namedAnonymous));
  }

  @ParameterizedTest(name = "[{index}] [{0}] {1} -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      device-*        | device-7          | true
      *               | device-7          | true
      d7.fleet        | device-7          | false
      spiffe://*      | device-7          | false
      d7.fleet        | d7.fleet          | true
      *               | ""                | false
      """)
  void allowsNameMatchesThatNameItselfNotAnotherOfTheSameClient(String patterns, String name, boolean expected) {
    assertEquals(expected, list(patterns).allowsName(name));
  }

  @Test
  void listIsACopyThatLaterChangesDoNotReach() {
    List<IdentityPattern> patterns = new ArrayList<>();
    AllowList allow = new AllowList(patterns, false);
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
