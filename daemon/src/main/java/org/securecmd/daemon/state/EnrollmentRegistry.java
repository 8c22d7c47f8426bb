package org.securecmd.daemon.state;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * TPM-attested enrollment's records, as the fleet's hosts share them: which TPM (EK identity, see
 * {@link Registration}) may enroll under which name, the requests waiting for an operator's approval, and
 * what each enrollment proved. The state directory by default ({@link RegistryFile}), PostgreSQL when that
 * backend is configured ({@link RegistryTable}: every lookup reads the database, so a registration or an
 * approval made on one host is in effect on every host at once).
 *
 * <p>One EK has at most one name and one name at most one EK, on every host at once: a conflicting change
 * is refused with {@link Refused}, and nothing is changed. Implementations are thread-safe; a change is
 * durable when its call returns. Calls may block on the database (bounded by its timeouts).
 */
public interface EnrollmentRegistry {
  /** Every registration, by name. */
  List<Registration> registrations() throws IOException;

  Optional<Registration> byEk(String ekSha256) throws IOException;

  Optional<Registration> byName(String name) throws IOException;

  /**
   * Registers {@code r}; a pending request of the same EK is dropped (it is now registered).
   *
   * @return false when exactly this registration was there already (nothing changed)
   * @throws Refused when its name is registered to another EK, or its EK under another name
   */
  boolean register(Registration r) throws IOException, Refused;

  /** Removes the registration of {@code name}; returns whether there was one. Its enrollments stay recorded. */
  boolean unregister(String name) throws IOException;

  /** Every pending request, oldest first. */
  List<PendingEnrollment> pending() throws IOException;

  /** Adds {@code p}, or replaces the request of the same EK (a TPM that asked again). */
  void addPending(PendingEnrollment p) throws IOException;

  /**
   * Registers the pending request {@code id} under {@code name} and drops the request, in one step.
   *
   * @throws Refused when there is no such request, or the name is registered to another EK
   */
  Registration approve(String id, String name, String by, Instant at) throws IOException, Refused;

  /** Drops the pending request {@code id}; returns whether there was one. */
  boolean reject(String id) throws IOException;

  /** Records a certificate issued by enrollment (a serial is recorded once: a second record is refused). */
  void recordEnrollment(Enrollment e) throws IOException;

  /** The enrollment that issued {@code serial} (lower-case hex), by whichever host issued it. */
  Optional<Enrollment> enrollmentBySerial(String serial) throws IOException;

  /** Every enrollment of the TPM with {@code ekSha256}, oldest first (a wiped device's earlier certificates). */
  List<Enrollment> enrollmentsForEk(String ekSha256) throws IOException;

  /** How many registrations and pending requests there are (for {@code status} and metrics). */
  Counts counts() throws IOException;

  record Counts(int registered, int pending) {}

  /** The change breaks the one-EK-one-name rule, or names nothing there; nothing was changed. */
  final class Refused extends Exception {
    public Refused(String message) {
      super(message);
    }
  }
}
