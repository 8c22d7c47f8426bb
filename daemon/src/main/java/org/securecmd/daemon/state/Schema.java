package org.securecmd.daemon.state;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The database schema, created and migrated by the daemon itself. Every daemon runs {@link #migrate} at
 * start, inside one transaction holding an advisory lock, so when several start at once on an empty
 * database exactly one creates the tables and the others find them. {@code securecmd_schema.version} says
 * which migrations ran; a database newer than this daemon knows is refused (an old daemon must not write
 * into a layout it does not understand).
 */
final class Schema {
  /** Arbitrary, fixed: the advisory lock every securecmdd takes while it looks at the schema. */
  static final long LOCK_KEY = 0x5ec_c3d_0001L;

  /** Migration i brings the schema from version i to i + 1. A new record kind appends its own. */
  static final List<String> MIGRATIONS = List.of("""
      CREATE TABLE securecmd_deny_list (
        kind text NOT NULL CHECK (kind IN ('identity', 'serial')),
        value text NOT NULL,
        revoked_by text NOT NULL DEFAULT '',
        revoked_at timestamptz NOT NULL DEFAULT now(),
        reason text NOT NULL DEFAULT '',
        PRIMARY KEY (kind, value))""", IssuanceTable.MIGRATION, IssuanceTable.MIGRATION_FIRST_USE,
      RegistryTable.MIGRATION);

  static final int LATEST = MIGRATIONS.size();

  /** The database's schema is newer than this daemon: upgrade the daemon (never fixed by a restart). */
  static final class TooNew extends Exception {
    TooNew(String message) {
      super(message);
    }
  }

  private Schema() {}

  /** Brings the schema to {@link #LATEST}; returns the version found before. */
  static int migrate(Connection c) throws SQLException, TooNew {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
      s.execute("CREATE TABLE IF NOT EXISTS securecmd_schema (version integer NOT NULL)");
      int found;
      try (ResultSet r = s.executeQuery("SELECT version FROM securecmd_schema")) {
        found = r.next() ? r.getInt(1) : -1;
      }
      if (found < 0) {
        s.execute("INSERT INTO securecmd_schema (version) VALUES (0)");
        found = 0;
      }
      if (found > LATEST) {
        c.rollback();
        throw new TooNew("the database's securecmd schema is version " + found + ", newer than this securecmdd"
            + " knows (" + LATEST + "): another host runs a newer securecmd; upgrade this one");
      }
      for (int v = found; v < LATEST; v++) s.execute(MIGRATIONS.get(v));
      if (found < LATEST) s.execute("UPDATE securecmd_schema SET version = " + LATEST);
      c.commit();
      return found;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }
}
