package org.securecmd.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One row per (pattern, name): {@code *} is any run of characters, everything else is literal. */
class IdentityPatternTest {
  @ParameterizedTest(name = "[{index}] \"{0}\" vs \"{1}\" -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # exact
      device-1              | device-1                  | true
      device-1              | device-2                  | false
      device-1              | device-10                 | false
      device-1              | device-                   | false
      device-1              | xdevice-1                 | false
      device-1              | ""                        | false
      a                     | a                         | true
      a                     | aa                        | false
      a                     | ""                        | false
      # case sensitivity
      device-1              | DEVICE-1                  | false
      DEVICE-*              | device-1                  | false
      device-*              | Device-1                  | false
      trusted-client        | Trusted-Client            | false
      # star alone
      *                     | anything                  | true
      *                     | ""                        | true
      *                     | *                         | true
      *                     | " "                       | true
      # stars only
      **                    | ""                        | true
      **                    | x                         | true
      ***                   | xyz                       | true
      # prefix*
      device-*              | device-0042               | true
      device-*              | device-                   | true
      device-*              | device                    | false
      device-*              | devices-1                 | false
      device-*              | my-device-1               | false
      device-*              | ""                        | false
      # *suffix
      *.fleet.example       | d1.fleet.example          | true
      *.fleet.example       | .fleet.example            | true
      *.fleet.example       | fleet.example             | false
      *.fleet.example       | d1.fleet.example.evil     | false
      *.fleet.example       | a.b.fleet.example         | true
      *-1                   | device-1                  | true
      *-1                   | device-12                 | false
      # a*b*c and multiple stars
      a*b*c                 | abc                       | true
      a*b*c                 | aXbYc                     | true
      a*b*c                 | aXXbYYc                   | true
      a*b*c                 | abbbc                     | true
      a*b*c                 | acb                       | false
      a*b*c                 | abcx                      | false
      a*b*c                 | xabc                      | false
      a*b*c                 | ab                        | false
      a*b*c                 | abcbc                     | true
      a*b*c                 | abcabc                    | true
      *a*                   | a                         | true
      *a*                   | bab                       | true
      *a*                   | bbb                       | false
      *a*b*                 | xaybz                     | true
      *a*b*                 | xbyaz                     | false
      a**b                  | ab                        | true
      a**b                  | axxb                      | true
      a**b                  | axxbx                     | false
      *x*y*z*               | 0x1y2z3                   | true
      *x*y*z*               | 0x1z2y3                   | false
      # backtracking
      *a*b                  | aaab                      | true
      *a*b                  | aaaba                     | false
      *a*b                  | abab                      | true
      *ab                   | aab                       | true
      *ab                   | abab                      | true
      *ab                   | aba                       | false
      a*a                   | a                         | false
      a*a                   | aa                        | true
      a*a                   | aaa                       | true
      a*a                   | aba                       | true
      a*a                   | ab                        | false
      *aa                   | aaa                       | true
      *aab                  | aaaab                     | true
      *aab                  | aabaab                    | true
      *aab                  | aabaa                     | false
      a*ab                  | aab                       | true
      a*ab                  | ab                        | false
      *abc*abc              | abcabcabc                 | true
      *abc*abc              | abcab                     | false
      mis*is*ip*i           | mississippi               | true
      mis*is*ip*i           | mississippix              | false
      # URIs
      spiffe://fleet/*      | spiffe://fleet/device/1   | true
      spiffe://fleet/*      | spiffe://fleet/           | true
      spiffe://fleet/*      | spiffe://fleet            | false
      spiffe://fleet/*      | spiffe://fleet2/device    | false
      spiffe://fleet/*      | SPIFFE://fleet/device     | false
      spiffe://*/device-1   | spiffe://eu/device-1      | true
      spiffe://*/device-1   | spiffe://eu/device-12     | false
      # no regex meta: . ? [ ] + ( ) ^ $ \\ | are literal
      a.c                   | a.c                       | true
      a.c                   | abc                       | false
      a?c                   | a?c                       | true
      a?c                   | abc                       | false
      a?c                   | ac                        | false
      [ab]                  | [ab]                      | true
      [ab]                  | a                         | false
      a+                    | a+                        | true
      a+                    | aa                        | false
      (a)                   | (a)                       | true
      (a)                   | a                         | false
      ^a$                   | ^a$                       | true
      ^a$                   | a                         | false
      a\\d                  | a\\d                      | true
      a\\d                  | a1                        | false
      .*                    | .x                        | true
      .*                    | xx                        | false
      "a|b"                 | "a|b"                     | true
      "a|b"                 | a                         | false
      # unicode and spaces are literal too
      gerät-*               | gerät-1                   | true
      gerät-*               | gerat-1                   | false
      "a b*"                | "a b c"                   | true
      "a b*"                | "ab c"                    | false
      """)
  void matchesNameAsAGlobWithStarOnly(String pattern, String name, boolean expected) {
    assertEquals(expected, new IdentityPattern(pattern).matches(name));
  }

  @Test
  void worstCaseBacktrackingStaysFast() {
    String name = "a".repeat(20_000);
    IdentityPattern p = new IdentityPattern("*a*a*a*a*a*a*a*a*b");
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertFalse(p.matches(name)));
    assertTrue(p.matches(name + "b"));
  }

  @Test
  void noPatternMatchesTheAnonymousIdentityNotEvenStar() {
    assertFalse(new IdentityPattern("*").matches(Identity.ANONYMOUS), "\"*\" matches certified clients only");
    assertTrue(new IdentityPattern("*").matchesEveryone());
    assertFalse(new IdentityPattern("device-*").matches(Identity.ANONYMOUS));
    assertFalse(new IdentityPattern("device-*").matchesEveryone());
    assertFalse(new IdentityPattern("anonymous").matches(Identity.ANONYMOUS));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      device-1                  | true
      device-*                  | true
      d1.fleet.example          | true
      *.fleet.example           | true
      spiffe://fleet/*          | true
      spiffe://fleet/device-1   | true
      *                         | true
      other                     | false
      spiffe://other/*          | false
      1f2e                      | false
      serial:*                  | false
      """)
  void matchesAnIdentityByCnOrAnySanButNotBySerial(String pattern, boolean expected) {
    Identity id = new Identity("device-1", List.of("d1.fleet.example"), List.of("spiffe://fleet/device-1"), "1f2e");
    assertEquals(expected, new IdentityPattern(pattern).matches(id));
  }

  @Test
  void identityWithoutNamesIsMatchedOnlyByStars() {
    Identity noNames = new Identity("", List.of(), List.of(), "abc");
    assertTrue(new IdentityPattern("*").matches(noNames));
    assertTrue(new IdentityPattern("**").matches(noNames), "stars only mean everyone, like a single star");
    assertFalse(new IdentityPattern("**").matches(Identity.ANONYMOUS));
    assertFalse(new IdentityPattern("*a*").matches(noNames));
    assertFalse(new IdentityPattern("abc").matches(noNames));
  }

  @Test
  void emptyOrNullPatternIsRefused() {
    assertEquals("empty pattern", assertThrows(IllegalArgumentException.class, () -> new IdentityPattern("")).getMessage());
    assertEquals("empty pattern",
        assertThrows(IllegalArgumentException.class, () -> new IdentityPattern(null)).getMessage());
  }
}
