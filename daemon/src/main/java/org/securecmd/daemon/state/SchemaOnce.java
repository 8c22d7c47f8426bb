package org.securecmd.daemon.state;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The schema migration a table object runs on its first connection that works, and never again: a schema
 * too new for this daemon is an {@link SQLException} like any other failure of the connection. Not
 * thread-safe: its owner calls {@link #ensure} under its own lock.
 */
final class SchemaOnce {
  private boolean done;

  void ensure(Connection c) throws SQLException {
    if (done) return;
    try {
      Schema.migrate(c);
    } catch (Schema.TooNew e) {
      throw new SQLException(e.getMessage(), e);
    }
    done = true;
  }
}
