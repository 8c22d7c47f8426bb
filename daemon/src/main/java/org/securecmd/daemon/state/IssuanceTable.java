package org.securecmd.daemon.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * {@link IssuanceLog} in the shared database: table {@code securecmd_issued} (schema version 2; version 3
 * adds each certificate's first use and the lookup by predecessor), written by
 * every host, so {@code securecmdctl issued} on any host lists them all. What holds across hosts:
 * <ul>
 *   <li>serials are unique (the primary key: a duplicate insert fails and the certificate is not handed out);
 *   <li>the same-key rule and the {@code max_renewals} count: the checks and the insert are one transaction
 *       holding an advisory lock on the identity, so two hosts renewing one device at the same moment
 *       cannot both pass;
 *   <li>{@link #bySerial} reads the table, so a device that rekeyed on one host and connects to another is
 *       recognised there.
 * </ul>
 * There is no last-known copy: without the database a renewal fails (it cannot be checked fleet-wide), and
 * the connections keep being served. On this log's first connection the schema is migrated (the deny list's
 * store may have started degraded and never reached the database) and a host switching from the file
 * backend imports its {@code issued} file once (idempotent: insert-if-absent, then the file is renamed), so
 * its earlier rekeys still complete and its records stay listed.
 *
 * <p>Every call is bounded ({@link BoundedConnection}): a renewal's reads and writes by {@link #REQUEST_BUDGET},
 * so a database that stops answering refuses a RENEW within seconds and never queues the others behind it.
 */
final class IssuanceTable implements IssuanceLog {
  /** The first key of the two-key advisory lock the same-key check takes (the second is the identity's hash). */
  private static final int LOCK_SPACE = 0x5ec_c3d;
  private static final String COLUMNS =
      "serial, identity, subject, not_after, old_serial, issued_at, key_sha256, rekey, first_used_at";
  private static final String VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * A renewal's call, all of it: waiting for the connection, connecting, every read; also a rollover lookup's
   * once the table is migrated. A device waits for it, so it holds even for the first call's migration and
   * import: one that takes longer fails the renewal (ERR UNAVAILABLE), and completes in a rollover lookup.
   */
  static final Duration REQUEST_BUDGET = Duration.ofSeconds(2);
  /**
   * Listing every record ({@code securecmdctl issued}), and a rollover lookup (no device waits for it) while
   * the first migration and import of the issued file may still be due.
   */
  static final Duration LONG_BUDGET = Duration.ofSeconds(15);

  private final BoundedConnection connection;
  private final Path fileToImport;
  private volatile boolean migrated; // written under the connection's lock

  /** @param fileToImport the file backend's log in this host's state directory (imported when present) */
  IssuanceTable(Database db, Path fileToImport) {
    this.connection = new BoundedConnection(db);
    this.fileToImport = fileToImport;
  }

  @Override
  public Optional<Conflict> append(Issuance i, Rules rules) throws IOException {
    try {
      return call(REQUEST_BUDGET, c -> Transaction.run(c, () -> insert(c, i, rules)));
    } catch (SQLException e) {
      throw new IOException("cannot record the issuance in the database: " + Follower.describe(e), e);
    }
  }

  private Optional<Conflict> insert(Connection c, Issuance i, Rules rules) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
      lock.setInt(1, LOCK_SPACE);
      lock.setString(2, i.identity());
      lock.execute();
    }
    if (!rules.sameKeySince().equals(Instant.MAX)) {
      try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM securecmd_issued"
          + " WHERE identity = ? AND key_sha256 = ? AND issued_at > ? AND old_serial <> '" + Issuance.ENROLLED + "'"
          + " ORDER BY issued_at DESC LIMIT 1")) {
        p.setString(1, i.identity());
        p.setString(2, i.keySha256());
        p.setObject(3, OffsetDateTime.ofInstant(rules.sameKeySince(), ZoneOffset.UTC));
        List<Issuance> earlier = read(p);
        if (!earlier.isEmpty()) return Optional.of(new Conflict(earlier.get(0), true));
      }
    }
    // Issuance.countsAsRenewal's twin: an enrollment (old serial "-") is no renewal, in the rules or the count
    if (!rules.countSince().equals(Instant.MAX) && i.countsAsRenewal()) {
      try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM securecmd_issued"
          + " WHERE identity = ? AND issued_at > ? AND old_serial <> '" + Issuance.ENROLLED + "'"
          + " ORDER BY issued_at, serial LIMIT ?")) {
        p.setString(1, i.identity());
        p.setObject(2, OffsetDateTime.ofInstant(rules.countSince(), ZoneOffset.UTC));
        p.setInt(3, rules.maxCount());
        List<Issuance> window = read(p);
        if (window.size() >= rules.maxCount()) return Optional.of(new Conflict(window.get(0), false));
      }
    }
    try (PreparedStatement p = c.prepareStatement("INSERT INTO securecmd_issued (" + COLUMNS + ") VALUES " + VALUES)) {
      bind(p, i);
      p.executeUpdate();
    }
    return Optional.empty();
  }

  @Override
  public void markUsed(String serial, Instant at) throws IOException {
    try {
      call(REQUEST_BUDGET, c -> {
        try (PreparedStatement p = c.prepareStatement(
            "UPDATE securecmd_issued SET first_used_at = ? WHERE serial = ? AND first_used_at IS NULL")) {
          p.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
          p.setString(2, serial);
          return p.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw new IOException("cannot record the first use of serial " + serial + " in the database: "
          + Follower.describe(e), e);
    }
  }

  @Override
  public List<Issuance> successorsOf(String serial) throws IOException {
    return query(REQUEST_BUDGET, "SELECT " + COLUMNS + " FROM securecmd_issued WHERE old_serial = ? ORDER BY issued_at, serial", serial);
  }

  @Override
  public List<Issuance> all() throws IOException {
    return query(LONG_BUDGET, "SELECT " + COLUMNS + " FROM securecmd_issued ORDER BY issued_at, serial", null);
  }

  @Override
  public Optional<Issuance> bySerial(String serial) throws IOException {
    return query(migrated ? REQUEST_BUDGET : LONG_BUDGET, "SELECT " + COLUMNS + " FROM securecmd_issued WHERE serial = ?",
        serial).stream().findFirst();
  }

  @Override
  public List<Issuance> forIdentity(String identity) throws IOException {
    return query(REQUEST_BUDGET, "SELECT " + COLUMNS + " FROM securecmd_issued WHERE identity = ? ORDER BY issued_at, serial", identity);
  }

  private List<Issuance> query(Duration budget, String sql, String argument) throws IOException {
    try {
      return call(budget, c -> {
        try (PreparedStatement p = c.prepareStatement(sql)) {
          if (argument != null) p.setString(1, argument);
          return read(p);
        }
      });
    } catch (SQLException e) {
      throw new IOException("cannot read the issuance records from the database: " + Follower.describe(e), e);
    }
  }

  /** {@code work} within {@code budget}, after the migration and import when they are still due. */
  private <T> T call(Duration budget, BoundedConnection.Work<T> work) throws SQLException {
    return connection.call(budget, c -> {
      migrateOnce(c);
      return work.run(c);
    });
  }

  private static List<Issuance> read(PreparedStatement p) throws SQLException {
    List<Issuance> out = new ArrayList<>();
    try (ResultSet r = p.executeQuery()) {
      while (r.next()) {
        OffsetDateTime used = r.getObject(9, OffsetDateTime.class);
        out.add(new Issuance(r.getString(1), r.getString(2), r.getString(3), r.getObject(4, OffsetDateTime.class).toInstant(),
            r.getString(5), r.getObject(6, OffsetDateTime.class).toInstant(), r.getString(7), r.getBoolean(8),
            used == null ? null : used.toInstant()));
      }
    }
    return out;
  }

  private void migrateOnce(Connection c) throws SQLException {
    if (migrated) return;
    try {
      Schema.migrate(c);
      importFile(c);
    } catch (Schema.TooNew e) {
      throw new SQLException(e.getMessage(), e);
    } catch (IOException e) {
      throw new SQLException("cannot import " + fileToImport + ": " + e.getMessage(), e);
    }
    migrated = true;
  }

  private void importFile(Connection c) throws SQLException, IOException {
    if (!Files.exists(fileToImport)) return;
    List<Issuance> records = new IssuanceFile(fileToImport).all();
    int added = Transaction.run(c, () -> {
      int n = 0;
      try (PreparedStatement p = c.prepareStatement("INSERT INTO securecmd_issued (" + COLUMNS
          + ") VALUES " + VALUES + " ON CONFLICT (serial) DO NOTHING")) {
        for (Issuance i : records) {
          bind(p, i);
          n += p.executeUpdate();
        }
      }
      return n;
    });
    Path imported = fileToImport.resolveSibling(fileToImport.getFileName() + ".imported");
    Files.move(fileToImport, imported, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    LoggerFactory.getLogger(IssuanceTable.class).info("state: imported {} of {} issuance records of {} into the"
        + " database (the file is now {})", added, records.size(), fileToImport, imported.getFileName());
  }

  private static void bind(PreparedStatement p, Issuance i) throws SQLException {
    p.setString(1, i.serial());
    p.setString(2, i.identity());
    p.setString(3, i.subject());
    p.setObject(4, OffsetDateTime.ofInstant(i.notAfter(), ZoneOffset.UTC));
    p.setString(5, i.oldSerial());
    p.setObject(6, OffsetDateTime.ofInstant(i.issuedAt(), ZoneOffset.UTC));
    p.setString(7, i.keySha256());
    p.setBoolean(8, i.rekey());
    p.setObject(9, i.firstUsedAt() == null ? null : OffsetDateTime.ofInstant(i.firstUsedAt(), ZoneOffset.UTC),
        java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
  }

  void close() {
    connection.close(REQUEST_BUDGET);
  }

  /** The table, as schema migration 1 → 2 in {@link Schema#MIGRATIONS}. */
  static final String MIGRATION = """
      CREATE TABLE securecmd_issued (
        serial text PRIMARY KEY,
        identity text NOT NULL,
        subject text NOT NULL,
        not_after timestamptz NOT NULL,
        old_serial text NOT NULL,
        issued_at timestamptz NOT NULL,
        key_sha256 text NOT NULL,
        rekey boolean NOT NULL);
      CREATE INDEX securecmd_issued_by_identity ON securecmd_issued (identity, key_sha256, issued_at)""";

  /**
   * Schema migration 2 → 3: when each certificate was first presented (a revocation of its predecessor takes
   * along the ones never used), and the lookup of a certificate's successors.
   */
  static final String MIGRATION_FIRST_USE = """
      ALTER TABLE securecmd_issued ADD COLUMN first_used_at timestamptz;
      CREATE INDEX securecmd_issued_by_old_serial ON securecmd_issued (old_serial)""";
}
