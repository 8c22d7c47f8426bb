package org.securecmd.daemon.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EnrollmentRegistry} backend must do; {@link RegistryFileTest} and {@link RegistryTableTest}
 * run it. {@link #host} opens one host's view of one shared registry: the file backend has one host, so its
 * "second host" is a second instance on the same directory opened after the first one's changes.
 */
abstract class EnrollmentRegistryContract {
  static final Instant NOW = Instant.parse("2026-12-07T04:00:00Z");
  static final String EK_A = "a".repeat(64);
  static final String EK_B = "b".repeat(64);
  static final String EK_C = "c".repeat(64);

  /** A fresh, empty registry shared by every host of this test. */
  abstract void newRegistry() throws Exception;

  /** One host's view of the current test's registry. */
  abstract EnrollmentRegistry host(String name) throws Exception;

  static Registration registration(String name, String ek) {
    return new Registration(name, ek, NOW, "root@host-a");
  }

  @Test
  void aRegistrationMadeOnOneHostIsFoundOnAnother() throws Exception {
    newRegistry();
    EnrollmentRegistry a = host("a");
    assertTrue(a.register(registration("dev-1", EK_A)));
    assertFalse(a.register(registration("dev-1", EK_A)), "the same pair again changes nothing");
    EnrollmentRegistry b = host("b");
    assertEquals(Optional.of(registration("dev-1", EK_A)), b.byEk(EK_A));
    assertEquals(Optional.of(registration("dev-1", EK_A)), b.byName("dev-1"));
    assertEquals(Optional.empty(), b.byEk(EK_B));
    assertEquals(new EnrollmentRegistry.Counts(1, 0), b.counts());
  }

  @Test
  void oneEkHasOneNameAndOneNameOneEk() throws Exception {
    newRegistry();
    EnrollmentRegistry a = host("a");
    a.register(registration("dev-1", EK_A));
    EnrollmentRegistry.Refused sameName = assertThrows(EnrollmentRegistry.Refused.class,
        () -> a.register(registration("dev-1", EK_B)));
    assertEquals("\"dev-1\" is registered to another EK (" + EK_A + "); remove it first", sameName.getMessage());
    EnrollmentRegistry.Refused sameEk = assertThrows(EnrollmentRegistry.Refused.class,
        () -> a.register(registration("dev-2", EK_A)));
    assertEquals("EK " + EK_A + " is registered as \"dev-1\"; one TPM has one name: remove it first",
        sameEk.getMessage());
    assertEquals(List.of(registration("dev-1", EK_A)), host("b").registrations());
  }

  @Test
  void aRemovedNameCanBeRegisteredToAnotherEk() throws Exception {
    newRegistry();
    EnrollmentRegistry a = host("a");
    a.register(registration("dev-1", EK_A));
    assertTrue(a.unregister("dev-1"));
    assertFalse(a.unregister("dev-1"));
    assertTrue(a.register(registration("dev-1", EK_B)));
    a.register(registration("dev-0", EK_C));
    assertEquals(List.of(registration("dev-0", EK_C), registration("dev-1", EK_B)), host("b").registrations(),
        "listed by name");
  }

  @Test
  void aPendingRequestIsApprovedUnderANameOnAnotherHost() throws Exception {
    newRegistry();
    EnrollmentRegistry a = host("a");
    PendingEnrollment first = new PendingEnrollment(EK_A, "192.0.2.7", NOW, new byte[] {0, 2, 1, 2});
    a.addPending(first);
    PendingEnrollment again = new PendingEnrollment(EK_A, "192.0.2.8", NOW.plusSeconds(5), new byte[] {0, 1, 9});
    a.addPending(again);
    a.addPending(new PendingEnrollment(EK_B, "[2001:db8::1]", NOW.plusSeconds(9), new byte[] {0}));
    EnrollmentRegistry b = host("b");
    List<PendingEnrollment> pending = b.pending();
    assertEquals(List.of(again, new PendingEnrollment(EK_B, "[2001:db8::1]", NOW.plusSeconds(9), new byte[] {0})),
        pending, "one request per EK, the latest, oldest first");
    assertEquals("aaaaaaaaaaaa", pending.get(0).id());
    assertArrayEquals(new byte[] {0, 1, 9}, pending.get(0).akPublic());
    Registration r = b.approve("aaaaaaaaaaaa", "dev-7", "ops@host-b", NOW.plusSeconds(60));
    assertEquals(new Registration("dev-7", EK_A, NOW.plusSeconds(60), "ops@host-b"), r);
    EnrollmentRegistry a2 = host("a");
    assertEquals(Optional.of(r), a2.byEk(EK_A));
    assertEquals(List.of("bbbbbbbbbbbb"), a2.pending().stream().map(PendingEnrollment::id).toList());
    assertEquals(new EnrollmentRegistry.Counts(1, 1), a2.counts());
  }

  @Test
  void approvingRefusesAnUnknownIdAndANameTakenByAnotherEk() throws Exception {
    newRegistry();
    EnrollmentRegistry a = host("a");
    a.register(registration("dev-1", EK_A));
    a.addPending(new PendingEnrollment(EK_B, "192.0.2.7", NOW, new byte[] {1}));
    assertEquals("no pending enrollment 000000000000", assertThrows(EnrollmentRegistry.Refused.class,
        () -> a.approve("000000000000", "dev-2", "", NOW)).getMessage());
    EnrollmentRegistry.Refused taken = assertThrows(EnrollmentRegistry.Refused.class,
        () -> a.approve("bbbbbbbbbbbb", "dev-1", "", NOW));
    assertEquals("\"dev-1\" is registered to another EK (" + EK_A + "); remove it first", taken.getMessage());
    assertEquals(1, host("b").pending().size(), "a refused approval keeps the request");
    assertTrue(a.reject("bbbbbbbbbbbb"));
    assertFalse(a.reject("bbbbbbbbbbbb"));
    assertEquals(List.of(), host("b").pending());
  }

  @Test
  void registeringAnEkDropsItsPendingRequest() throws Exception {
    newRegistry();
    EnrollmentRegistry a = host("a");
    a.addPending(new PendingEnrollment(EK_C, "192.0.2.7", NOW, new byte[] {1}));
    a.register(registration("dev-3", EK_C));
    assertEquals(List.of(), host("b").pending());
  }

  @Test
  void anEnrollmentIsFoundBySerialAndByEkOnAnotherHost() throws Exception {
    newRegistry();
    EnrollmentRegistry a = host("a");
    Enrollment first = new Enrollment("1f", "dev-1", EK_A, new byte[] {0, 3, 1, 2, 3}, NOW);
    Enrollment second = new Enrollment("2a", "dev-1", EK_A, new byte[] {0, 1, 4}, NOW.plusSeconds(3600));
    a.recordEnrollment(first);
    a.recordEnrollment(second);
    a.recordEnrollment(new Enrollment("3b", "dev-2", EK_B, new byte[] {5}, NOW));
    assertThrows(IOException.class, () -> a.recordEnrollment(new Enrollment("1f", "dev-9", EK_C, new byte[] {1}, NOW)),
        "a serial is recorded once");
    EnrollmentRegistry b = host("b");
    assertEquals(Optional.of(second), b.enrollmentBySerial("2a"));
    assertArrayEquals(new byte[] {0, 1, 4}, b.enrollmentBySerial("2a").orElseThrow().akPublic());
    assertEquals(Optional.empty(), b.enrollmentBySerial("ff"));
    assertEquals(List.of(first, second), b.enrollmentsForEk(EK_A));
  }
}
