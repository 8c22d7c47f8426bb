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
 * {@link QuoteLog} in the shared database (schema version 5): table {@code securecmd_quotes}, so
 * {@code securecmdctl attest show} on any host sees the values a device quoted through any other. Each write
 * is one statement pair in one transaction; the bound of {@value QuoteLog#KEPT_MISMATCHES} mismatches per
 * device is kept by deleting the older ones in it.
 */
final class QuoteTable implements QuoteLog {
  static final String MIGRATION = """
      CREATE TABLE securecmd_quotes (
        identity text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('verified', 'mismatch')),
        at timestamptz NOT NULL,
        pcrs text NOT NULL);
      CREATE INDEX securecmd_quotes_identity ON securecmd_quotes (identity, kind, at)""";
  private static final String SELECT = "SELECT identity, pcrs, at FROM securecmd_quotes WHERE identity = ? AND kind = ?"
      + " ORDER BY at DESC";

  private final Writer writer;
  private final SchemaOnce schema = new SchemaOnce();

  QuoteTable(Database db) {
    this.writer = new Writer(db);
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private synchronized <T> T run(String what, Work<T> work) throws IOException {
    List<T> out = new ArrayList<>(1);
    try {
      writer.run(c -> {
        schema.ensure(c);
        out.clear();
        out.add(work.run(c));
        return 0;
      });
    } catch (SQLException e) {
      throw new IOException("cannot " + what + " in the database: " + Follower.describe(e), e);
    }
    return out.get(0);
  }

  @Override
  public void verified(Values v) throws IOException {
    run("record the quote", c -> inTransaction(c, () -> {
      update(c, "DELETE FROM securecmd_quotes WHERE identity = ? AND kind = 'verified'", v.identity());
      insert(c, "verified", v);
    }));
  }

  @Override
  public void mismatched(Values v) throws IOException {
    run("record the quote", c -> inTransaction(c, () -> {
      insert(c, "mismatch", v);
      try (PreparedStatement p = c.prepareStatement("DELETE FROM securecmd_quotes WHERE identity = ? AND kind = "
          + "'mismatch' AND ctid NOT IN (SELECT ctid FROM securecmd_quotes WHERE identity = ? AND kind = 'mismatch'"
          + " ORDER BY at DESC LIMIT " + KEPT_MISMATCHES + ")")) {
        p.setString(1, v.identity());
        p.setString(2, v.identity());
        p.executeUpdate();
      }
    }));
  }

  @Override
  public Optional<Values> lastVerified(String identity) throws IOException {
    return run("read the quotes", c -> values(c, identity, "verified")).stream().findFirst();
  }

  @Override
  public List<Values> mismatches(String identity) throws IOException {
    return run("read the quotes", c -> values(c, identity, "mismatch"));
  }

  private static List<Values> values(Connection c, String identity, String kind) throws SQLException {
    List<Values> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(SELECT)) {
      p.setString(1, identity);
      p.setString(2, kind);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.add(new Values(r.getString(1), Values.parsePcrs(r.getString(2)),
              r.getObject(3, OffsetDateTime.class).toInstant()));
        }
      }
    }
    return out;
  }

  private interface Step {
    void run() throws SQLException;
  }

  private static int inTransaction(Connection c, Step step) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      step.run();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
    return 1;
  }

  private static void insert(Connection c, String kind, Values v) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(
        "INSERT INTO securecmd_quotes (identity, kind, at, pcrs) VALUES (?, ?, ?, ?)")) {
      p.setString(1, v.identity());
      p.setString(2, kind);
      p.setObject(3, OffsetDateTime.ofInstant(v.at(), ZoneOffset.UTC));
      p.setString(4, v.pcrsText());
      p.executeUpdate();
    }
  }

  private static void update(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, arg);
      p.executeUpdate();
    }
  }

  synchronized void close() {
    writer.close();
  }
}
