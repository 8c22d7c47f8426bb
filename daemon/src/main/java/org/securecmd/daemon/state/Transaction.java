package org.securecmd.daemon.state;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs work in one database transaction on a connection that is otherwise in auto-commit: commit on
 * success, rollback on any failure (a broken connection is then the caller's to reopen), auto-commit
 * restored either way. The one copy for the deny-list and issuance tables.
 */
final class Transaction {
  interface Work<T> {
    T run() throws SQLException;
  }

  private Transaction() {}

  static <T> T run(Connection c, Work<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T t = work.run();
      c.commit();
      return t;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is broken; the caller reopens it
      }
      throw e;
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (SQLException ignored) {
        // same
      }
    }
  }
}
