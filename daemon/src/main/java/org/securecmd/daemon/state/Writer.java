package org.securecmd.daemon.state;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection local changes are written on, kept open between them. A kept connection may have died in
 * an outage the follower has already seen end: a failure on it gets one retry on a new connection (every
 * write is idempotent: insert-if-absent, delete). Not thread-safe: its store calls it under its lock.
 */
final class Writer {
  /** One write on a connection; returns the rows it changed. */
  interface Work {
    int run(Connection c) throws SQLException;
  }

  private final Database db;
  private Connection connection;

  Writer(Database db) {
    this.db = db;
  }

  int run(Work work) throws SQLException {
    boolean fresh = connection == null;
    if (fresh) connection = db.open();
    try {
      return work.run(connection);
    } catch (SQLException e) {
      close();
      if (fresh) throw e;
      connection = db.open();
      try {
        return work.run(connection);
      } catch (SQLException again) {
        close();
        throw again;
      }
    }
  }

  void close() {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException ignored) {
      // broken anyway
    }
    connection = null;
  }
}
