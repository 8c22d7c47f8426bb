package org.securecmd.daemon.state;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@link EnrollmentRegistry} in the state directory (one host), three {@link TabFile}s rewritten atomically
 * on each change and read once, at first use (nothing else writes them while the daemon runs):
 *
 * <pre>
 * registered       NAME  EK-SHA256  REGISTERED-AT  BY
 * enroll-pending   ID  EK-SHA256  ADDRESS  REQUESTED-AT  AK-PUBLIC(base64)
 * enrolled         SERIAL  IDENTITY  EK-SHA256  ENROLLED-AT  AK-PUBLIC(base64)
 * </pre>
 *
 * Rewriting {@code enrolled} whole costs a few milliseconds per thousand devices, once per enrollment. The
 * daemon opens one per state directory and shares it: the copy in memory assumes it is the only writer.
 */
public final class RegistryFile implements EnrollmentRegistry {
  static final String REGISTERED = "registered";
  static final String PENDING = "enroll-pending";
  static final String ENROLLED = "enrolled";
  private static final String WARNING = "# Written by securecmdd (securecmdctl enroll ...); edit only while it is stopped.\n";

  private final TabFile registeredFile;
  private final TabFile pendingFile;
  private final TabFile enrolledFile;
  private List<Registration> registered;
  private List<PendingEnrollment> waiting;
  private List<Enrollment> enrolled;

  /** The registry in {@code directory} (the state directory). */
  public RegistryFile(Path directory) {
    registeredFile = new TabFile(directory.resolve(REGISTERED), "# securecmd TPM registrations: NAME, EK SHA-256,"
        + " registered at, by (tab-separated).\n" + WARNING, 4);
    pendingFile = new TabFile(directory.resolve(PENDING), "# securecmd enrollments waiting for approval: ID, EK"
        + " SHA-256, address, requested at, AK public area (base64).\n" + WARNING, 5);
    enrolledFile = new TabFile(directory.resolve(ENROLLED), "# securecmd attested enrollments: serial, identity,"
        + " EK SHA-256, enrolled at, AK public area (base64).\n" + WARNING, 5);
  }

  private void load() throws IOException {
    if (registered != null) return;
    registered = registeredFile.load(f -> new Registration(f[0], f[1], Instant.parse(f[2]), f[3]));
    waiting = pendingFile.load(f -> new PendingEnrollment(f[0], f[1], f[2], Instant.parse(f[3]),
        Base64.getDecoder().decode(f[4])));
    enrolled = enrolledFile.load(f -> new Enrollment(f[0], f[1], f[2], Base64.getDecoder().decode(f[4]),
        Instant.parse(f[3])));
  }

  @Override
  public synchronized List<Registration> registrations() throws IOException {
    load();
    return registered.stream().sorted(Comparator.comparing(Registration::name)).toList();
  }

  @Override
  public synchronized Optional<Registration> byEk(String ekSha256) throws IOException {
    load();
    return registered.stream().filter(r -> r.ekSha256().equals(ekSha256)).findFirst();
  }

  @Override
  public synchronized Optional<Registration> byName(String name) throws IOException {
    load();
    return registered.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  @Override
  public synchronized boolean register(Registration r) throws IOException, Refused {
    Optional<Registration> byName = byName(r.name());
    Optional<Registration> byEk = byEk(r.ekSha256());
    Optional<String> conflict = Registration.conflict(r, byName, byEk);
    if (conflict.isPresent()) throw new Refused(conflict.get());
    boolean dropsPending = waiting.stream().anyMatch(p -> p.ekSha256().equals(r.ekSha256()));
    if (byName.isPresent() && !dropsPending) return false;
    List<PendingEnrollment> stillWaiting = waiting.stream().filter(p -> !p.ekSha256().equals(r.ekSha256())).toList();
    List<Registration> after = new ArrayList<>(registered);
    if (byName.isEmpty()) after.add(r);
    saveRegistered(after); // first: a crash between the two leaves a registered EK with a stale request, never neither
    if (dropsPending) savePending(stillWaiting);
    return byName.isEmpty();
  }

  @Override
  public synchronized boolean unregister(String name) throws IOException {
    load();
    List<Registration> after = registered.stream().filter(r -> !r.name().equals(name)).toList();
    if (after.size() == registered.size()) return false;
    saveRegistered(after);
    return true;
  }

  @Override
  public synchronized List<PendingEnrollment> pending() throws IOException {
    load();
    return waiting.stream().sorted(Comparator.comparing(PendingEnrollment::requestedAt)).toList();
  }

  @Override
  public synchronized void addPending(PendingEnrollment p) throws IOException {
    load();
    List<PendingEnrollment> after = new ArrayList<>(waiting.stream().filter(w -> !w.id().equals(p.id())).toList());
    after.add(p);
    savePending(after);
  }

  @Override
  public synchronized Registration approve(String id, String name, String by, Instant at) throws IOException, Refused {
    load();
    PendingEnrollment p = waiting.stream().filter(w -> w.id().equals(id)).findFirst()
        .orElseThrow(() -> new Refused("no pending enrollment " + id));
    Registration r = new Registration(name, p.ekSha256(), at, by);
    register(r); // drops the request too
    return byName(name).orElseThrow();
  }

  @Override
  public synchronized boolean reject(String id) throws IOException {
    load();
    List<PendingEnrollment> after = waiting.stream().filter(w -> !w.id().equals(id)).toList();
    if (after.size() == waiting.size()) return false;
    savePending(after);
    return true;
  }

  @Override
  public synchronized void recordEnrollment(Enrollment e) throws IOException {
    load();
    if (enrolled.stream().anyMatch(x -> x.serial().equals(e.serial()))) {
      throw new IOException("serial " + e.serial() + " was recorded before");
    }
    List<Enrollment> after = new ArrayList<>(enrolled);
    after.add(e);
    enrolledFile.save(after.stream().map(x -> List.of(x.serial(), x.identity(), x.ekSha256(), x.enrolledAt().toString(),
        Base64.getEncoder().encodeToString(x.akPublic()))).toList());
    enrolled = List.copyOf(after);
  }

  @Override
  public synchronized Optional<Enrollment> enrollmentBySerial(String serial) throws IOException {
    load();
    return enrolled.stream().filter(e -> e.serial().equals(serial)).findFirst();
  }

  @Override
  public synchronized List<Enrollment> enrollmentsForEk(String ekSha256) throws IOException {
    load();
    return enrolled.stream().filter(e -> e.ekSha256().equals(ekSha256)).toList();
  }

  @Override
  public synchronized Counts counts() throws IOException {
    load();
    return new Counts(registered.size(), waiting.size());
  }

  private void saveRegistered(List<Registration> after) throws IOException {
    registeredFile.save(after.stream().map(r -> List.of(r.name(), r.ekSha256(), r.registeredAt().toString(), r.by()))
        .toList());
    registered = List.copyOf(after);
  }

  private void savePending(List<PendingEnrollment> after) throws IOException {
    pendingFile.save(after.stream().map(p -> List.of(p.id(), p.ekSha256(), p.address(), p.requestedAt().toString(),
        Base64.getEncoder().encodeToString(p.akPublic()))).toList());
    waiting = List.copyOf(after);
  }
}
