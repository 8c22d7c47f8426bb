package org.securecmd.daemon.state;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link EnrollmentRegistry} in the shared database (schema version 4): tables {@code securecmd_registered},
 * {@code securecmd_enroll_pending} and {@code securecmd_enrolled}. Every lookup reads the database, so a
 * registration or approval made on one host lets the device enroll through any other at once (enrollments
 * are rare; a read per step costs nothing beside the TPM's seconds). What holds across hosts: a name and an
 * EK identity are each unique (the tables' keys), and every change takes one advisory lock, checks, then
 * writes, in one transaction, so two hosts registering at the same moment cannot both win and the loser gets
 * the same clear {@link Refused} as on one host. Without the database a registration, approval or enrollment
 * fails (it cannot be checked fleet-wide); there is no last-known copy.
 *
 * <p>Over 300 lines because the three tables are one registry: {@code approve} reads a pending row and
 * registers it in one transaction, and every change takes the same advisory lock, so the changes read best
 * side by side.
 */
final class RegistryTable implements EnrollmentRegistry {
  /** The advisory lock every registry change takes (the issuance table's space, a key of its own). */
  private static final long LOCK_KEY = 0x5ec_c3d_0003L;
  private static final String REGISTERED = "SELECT name, ek_sha256, registered_at, registered_by FROM securecmd_registered";
  private static final String PENDING = "SELECT id, ek_sha256, address, requested_at, ak_public FROM securecmd_enroll_pending";
  private static final String ENROLLED = "SELECT serial, identity, ek_sha256, ak_public, enrolled_at FROM securecmd_enrolled";

  private final Writer writer;
  private final SchemaOnce schema = new SchemaOnce();

  RegistryTable(Database db) {
    this.writer = new Writer(db);
  }

  /** Work on one connection, which may be retried once on a new one (see {@link Writer}). */
  private interface Work<T> {
    T run(Connection c) throws SQLException, Refused;
  }

  private synchronized <T> T run(String what, Work<T> work) throws IOException, Refused {
    List<T> out = new ArrayList<>(1);
    Refused[] refused = new Refused[1];
    try {
      writer.run(c -> {
        schema.ensure(c);
        out.clear();
        try {
          out.add(work.run(c));
        } catch (Refused r) {
          refused[0] = r;
        }
        return 0;
      });
    } catch (SQLException e) {
      throw new IOException("cannot " + what + " in the database: " + Follower.describe(e), e);
    }
    if (refused[0] != null) throw refused[0];
    return out.get(0);
  }

  private <T> T read(String what, Work<T> work) throws IOException {
    try {
      return run(what, work);
    } catch (Refused r) {
      throw new IllegalStateException(r); // reads never refuse
    }
  }

  /** A change made under the registry's lock. */
  private interface Step<T> {
    T run() throws SQLException, Refused;
  }

  /** Carries a {@link Refused} out of a transaction, rolling it back. */
  private static final class Rollback extends RuntimeException {
    final Refused refused;

    Rollback(Refused refused) {
      super(refused.getMessage(), null, false, false);
      this.refused = refused;
    }
  }

  /** {@code step} in one transaction holding the registry's advisory lock; rolled back when it refuses. */
  private static <T> T locked(Connection c, Step<T> step) throws SQLException, Refused {
    try {
      return Transaction.run(c, () -> {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, LOCK_KEY);
          lock.execute();
        }
        try {
          return step.run();
        } catch (Refused r) {
          throw new Rollback(r);
        }
      });
    } catch (Rollback r) {
      throw r.refused;
    }
  }

  @Override
  public List<Registration> registrations() throws IOException {
    return read("read the registrations", c -> registrations(c, REGISTERED + " ORDER BY name"));
  }

  @Override
  public Optional<Registration> byEk(String ekSha256) throws IOException {
    return read("read the registrations", c -> registrations(c, REGISTERED + " WHERE ek_sha256 = ?", ekSha256))
        .stream().findFirst();
  }

  @Override
  public Optional<Registration> byName(String name) throws IOException {
    return read("read the registrations", c -> registrations(c, REGISTERED + " WHERE name = ?", name))
        .stream().findFirst();
  }

  @Override
  public boolean register(Registration r) throws IOException, Refused {
    return run("register " + r.name(), c -> locked(c, () -> insert(c, r)));
  }

  /** Under the lock: refuses a conflict, inserts when new, drops the EK's pending request; true when inserted. */
  private static boolean insert(Connection c, Registration r) throws SQLException, Refused {
    Optional<Registration> byName = registrations(c, REGISTERED + " WHERE name = ?", r.name()).stream().findFirst();
    Optional<Registration> byEk = registrations(c, REGISTERED + " WHERE ek_sha256 = ?", r.ekSha256()).stream().findFirst();
    Optional<String> conflict = Registration.conflict(r, byName, byEk);
    if (conflict.isPresent()) throw new Refused(conflict.get());
    update(c, "DELETE FROM securecmd_enroll_pending WHERE ek_sha256 = ?", r.ekSha256());
    if (byName.isPresent()) return false;
    try (PreparedStatement p = c.prepareStatement("INSERT INTO securecmd_registered (name, ek_sha256, registered_at,"
        + " registered_by) VALUES (?, ?, ?, ?)")) {
      p.setString(1, r.name());
      p.setString(2, r.ekSha256());
      p.setObject(3, time(r.registeredAt()));
      p.setString(4, r.by());
      p.executeUpdate();
    }
    return true;
  }

  @Override
  public boolean unregister(String name) throws IOException {
    return read("remove the registration", c -> update(c, "DELETE FROM securecmd_registered WHERE name = ?", name) > 0);
  }

  @Override
  public List<PendingEnrollment> pending() throws IOException {
    return read("read the pending enrollments", c -> pending(c, PENDING + " ORDER BY requested_at, id"));
  }

  @Override
  public void addPending(PendingEnrollment p) throws IOException {
    read("record the pending enrollment", c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO securecmd_enroll_pending (id, ek_sha256, address,"
          + " requested_at, ak_public) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET ek_sha256 ="
          + " excluded.ek_sha256, address = excluded.address, requested_at = excluded.requested_at,"
          + " ak_public = excluded.ak_public")) {
        s.setString(1, p.id());
        s.setString(2, p.ekSha256());
        s.setString(3, p.address());
        s.setObject(4, time(p.requestedAt()));
        s.setBytes(5, p.akPublic());
        return s.executeUpdate();
      }
    });
  }

  @Override
  public Registration approve(String id, String name, String by, Instant at) throws IOException, Refused {
    return run("approve " + id, c -> locked(c, () -> {
      PendingEnrollment p = pending(c, PENDING + " WHERE id = ?", id).stream().findFirst()
          .orElseThrow(() -> new Refused("no pending enrollment " + id));
      Registration r = new Registration(name, p.ekSha256(), at, by);
      insert(c, r);
      return registrations(c, REGISTERED + " WHERE name = ?", name).getFirst();
    }));
  }

  @Override
  public boolean reject(String id) throws IOException {
    return read("reject the pending enrollment", c -> update(c, "DELETE FROM securecmd_enroll_pending WHERE id = ?", id) > 0);
  }

  @Override
  public void recordEnrollment(Enrollment e) throws IOException {
    read("record the enrollment", c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO securecmd_enrolled (serial, identity, ek_sha256,"
          + " ak_public, enrolled_at) VALUES (?, ?, ?, ?, ?)")) {
        s.setString(1, e.serial());
        s.setString(2, e.identity());
        s.setString(3, e.ekSha256());
        s.setBytes(4, e.akPublic());
        s.setObject(5, time(e.enrolledAt()));
        return s.executeUpdate();
      }
    });
  }

  @Override
  public Optional<Enrollment> enrollmentBySerial(String serial) throws IOException {
    return read("read the enrollments", c -> enrollments(c, ENROLLED + " WHERE serial = ?", serial)).stream().findFirst();
  }

  @Override
  public List<Enrollment> enrollmentsForEk(String ekSha256) throws IOException {
    return read("read the enrollments", c -> enrollments(c, ENROLLED + " WHERE ek_sha256 = ? ORDER BY enrolled_at, serial",
        ekSha256));
  }

  @Override
  public Counts counts() throws IOException {
    return read("count the registrations", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT (SELECT count(*) FROM securecmd_registered),"
          + " (SELECT count(*) FROM securecmd_enroll_pending)"); ResultSet r = s.executeQuery()) {
        r.next();
        return new Counts(r.getInt(1), r.getInt(2));
      }
    });
  }

  private static List<Registration> registrations(Connection c, String sql, String... args) throws SQLException {
    List<Registration> out = new ArrayList<>();
    try (PreparedStatement p = prepared(c, sql, args); ResultSet r = p.executeQuery()) {
      while (r.next()) {
        out.add(new Registration(r.getString(1), r.getString(2), r.getObject(3, OffsetDateTime.class).toInstant(),
            r.getString(4)));
      }
    }
    return out;
  }

  private static List<PendingEnrollment> pending(Connection c, String sql, String... args) throws SQLException {
    List<PendingEnrollment> out = new ArrayList<>();
    try (PreparedStatement p = prepared(c, sql, args); ResultSet r = p.executeQuery()) {
      while (r.next()) {
        out.add(new PendingEnrollment(r.getString(1), r.getString(2), r.getString(3),
            r.getObject(4, OffsetDateTime.class).toInstant(), r.getBytes(5)));
      }
    }
    return out;
  }

  private static List<Enrollment> enrollments(Connection c, String sql, String... args) throws SQLException {
    List<Enrollment> out = new ArrayList<>();
    try (PreparedStatement p = prepared(c, sql, args); ResultSet r = p.executeQuery()) {
      while (r.next()) {
        out.add(new Enrollment(r.getString(1), r.getString(2), r.getString(3), r.getBytes(4),
            r.getObject(5, OffsetDateTime.class).toInstant()));
      }
    }
    return out;
  }

  private static int update(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement p = prepared(c, sql, args)) {
      return p.executeUpdate();
    }
  }

  private static PreparedStatement prepared(Connection c, String sql, String... args) throws SQLException {
    PreparedStatement p = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) p.setString(i + 1, args[i]);
    return p;
  }

  private static OffsetDateTime time(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  synchronized void close() {
    writer.close();
  }

  /** The tables, as schema migration 3 → 4 in {@link Schema#MIGRATIONS}. */
  static final String MIGRATION = """
      CREATE TABLE securecmd_registered (
        name text PRIMARY KEY,
        ek_sha256 text NOT NULL UNIQUE,
        registered_at timestamptz NOT NULL,
        registered_by text NOT NULL);
      CREATE TABLE securecmd_enroll_pending (
        id text PRIMARY KEY,
        ek_sha256 text NOT NULL UNIQUE,
        address text NOT NULL,
        requested_at timestamptz NOT NULL,
        ak_public bytea NOT NULL);
      CREATE TABLE securecmd_enrolled (
        serial text PRIMARY KEY,
        identity text NOT NULL,
        ek_sha256 text NOT NULL,
        ak_public bytea NOT NULL,
        enrolled_at timestamptz NOT NULL);
      CREATE INDEX securecmd_enrolled_by_ek ON securecmd_enrolled (ek_sha256, enrolled_at)""";
}
