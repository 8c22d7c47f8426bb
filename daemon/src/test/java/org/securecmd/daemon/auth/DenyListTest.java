package org.securecmd.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DenyListTest {
  private static final Identity DEVICE =
      new Identity("device-7", List.of("d7.fleet"), List.of("spiffe://fleet/d7"), "a1b");

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a1b          | a1b
      A1B          | a1b
      0A:1b        | a1b
      0a:1b        | a1b
      00:0A:1B     | a1b
      000a1b       | a1b
      0x0a1b       | a1b
      0xa1b        | a1b
      0XA1B        | a1b
      0x000a1b     | a1b
      0            | 0
      00           | 0
      00:00        | 0
      0x0          | 0
      ff           | ff
      0123456789abcdef | 123456789abcdef
      """)
  void normalizeSerialGivesLowerCaseHexWithoutLeadingZerosOrColons(String serial, String expected) {
    assertEquals(expected, DenyList.normalizeSerial(serial));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", ":", "::", "0x", "xyz", "0a1g", "-1", "a 1", " a1b", "device-7", "0y12"})
  void normalizeSerialRefusesWhatIsNotHex(String serial) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DenyList.normalizeSerial(serial));
    assertEquals("not a hex serial: " + serial, e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] identity {0}")
  @CsvSource(textBlock = """
      device-7,          true
      d7.fleet,          true
      spiffe://fleet/d7, true
      device-8,          false
      DEVICE-7,          false
      device-*,          false
      *,                 false
      a1b,               false
      """)
  void deniesByExactCnOrSanNeverByPattern(String entry, boolean denied) {
    assertEquals(denied, DenyList.EMPTY.withIdentity(entry).denies(DEVICE));
  }

  @ParameterizedTest(name = "[{index}] serial {0}")
  @CsvSource(textBlock = """
      a1b,      true
      0A:1B,    true
      0x0a1b,   true
      00a1b,    true
      a1c,      false
      1b,       false
      """)
  void deniesBySerialInAnyWrittenForm(String serial, boolean denied) {
    assertEquals(denied, DenyList.EMPTY.withSerial(serial).denies(DEVICE));
  }

  @Test
  void anonymousIsNeverDenied() {
    DenyList deny = new DenyList(Set.of("", "anonymous", "*"), Set.of("0"));
    assertFalse(deny.denies(Identity.ANONYMOUS));
  }

  @Test
  void emptyListDeniesNobody() {
    assertFalse(DenyList.EMPTY.denies(DEVICE));
  }

  @Test
  void withSerialStoresTheNormalizedForm() {
    assertEquals(Set.of("a1b"), DenyList.EMPTY.withSerial("0A:1B").serials());
    assertEquals("not a hex serial: zz",
        assertThrows(IllegalArgumentException.class, () -> DenyList.EMPTY.withSerial("zz")).getMessage());
  }

  @Test
  void withoutRemovesAnIdentity() {
    DenyList deny = DenyList.EMPTY.withIdentity("device-7");
    DenyList after = deny.without("device-7");
    assertFalse(after.denies(DEVICE));
    assertEquals(Set.of(), after.identities());
    assertTrue(deny.denies(DEVICE), "the old snapshot is unchanged");
  }

  @ParameterizedTest(name = "[{index}] without {0}")
  @ValueSource(strings = {"a1b", "0A:1B", "0x0a1b", "000a1b"})
  void withoutRemovesASerialGivenInAnyForm(String entry) {
    DenyList after = DenyList.EMPTY.withSerial("a1b").without(entry);
    assertEquals(Set.of(), after.serials());
    assertFalse(after.denies(DEVICE));
  }

  @Test
  void withoutAnEntryThatLooksLikeBothRemovesBoth() {
    DenyList deny = DenyList.EMPTY.withIdentity("abc").withSerial("abc");
    DenyList after = deny.without("abc");
    assertEquals(Set.of(), after.identities());
    assertEquals(Set.of(), after.serials());
  }

  @ParameterizedTest(name = "[{index}] without {0}")
  @ValueSource(strings = {"device-8", "a1c", "", "zz", "DEVICE-7"})
  void withoutAnAbsentEntryReturnsTheSameSnapshot(String entry) {
    DenyList deny = DenyList.EMPTY.withIdentity("device-7").withSerial("a1b");
    assertSame(deny, deny.without(entry));
  }

  @Test
  void snapshotsAreImmutable() {
    DenyList deny = DenyList.EMPTY.withIdentity("x");
    assertThrows(UnsupportedOperationException.class, () -> deny.identities().add("y"));
    assertThrows(UnsupportedOperationException.class, () -> deny.serials().add("1"));
  }

  @org.junit.jupiter.api.Test
  void entriesKeepWhoWhenWhyAndTheFirstOfTwoWithOneKeyStays() {
    DenyListEntry first = new DenyListEntry(DenyListEntry.Kind.IDENTITY, "device-1", "a@h", java.time.Instant.EPOCH, "x");
    DenyListEntry second = new DenyListEntry(DenyListEntry.Kind.IDENTITY, "device-1", "b@h", java.time.Instant.EPOCH, "y");
    DenyList d = DenyList.EMPTY.with(first);
    assertTrue(d.with(second) == d, "unchanged: the first revocation is the one kept");
    assertEquals(first, d.entries().get("identity device-1"));
    assertEquals(2, d.plus(DenyList.EMPTY.withSerial("0A")).size());
    assertTrue(d.denies(java.util.List.of("other", "device-1"), ""));
    assertFalse(d.denies(java.util.List.of("other"), "a"));
    assertTrue(DenyList.EMPTY.withSerial("0a").denies(java.util.List.of(), "a"));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"", " x", "x ", "a\tb", "a\nb"})
  void anEntryWithEdgeSpacesOrControlCharactersIsRefused(String value) {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> DenyListEntry.of(DenyListEntry.Kind.IDENTITY, value));
  }
}
