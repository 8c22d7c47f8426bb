package org.securecmd.daemon.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;

/**
 * The deny list's SQL. Every change commits together with a {@code NOTIFY} on {@link #CHANNEL} whose
 * payload is {@link #PAYLOAD}, so every listening host re-reads the list as soon as it is visible.
 */
final class DenyListTable {
  static final String CHANNEL = "securecmd_state";
  /** The record kind, as the notification payload: another kind would send its own name. */
  static final String PAYLOAD = "deny_list";

  private DenyListTable() {}

  static DenyList readAll(Connection c) throws SQLException {
    List<DenyListEntry> entries = new ArrayList<>();
    try (Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT kind, value, revoked_by, revoked_at, reason FROM securecmd_deny_list")) {
      while (r.next()) {
        try {
          entries.add(new DenyListEntry(DenyListEntry.Kind.of(r.getString(1)), r.getString(2), r.getString(3),
              r.getObject(4, OffsetDateTime.class).toInstant(), r.getString(5)));
        } catch (IllegalArgumentException e) {
          // written by something else than securecmdd: skip the row rather than the whole list
          org.slf4j.LoggerFactory.getLogger(DenyListTable.class)
              .warn("securecmd_deny_list: row {} {} ignored: {}", r.getString(1), r.getString(2), e.getMessage());
        }
      }
    }
    return DenyList.of(entries);
  }

  /** Inserts the entries not there yet, in one transaction with a notification; returns how many were new. */
  static int insert(Connection c, Collection<DenyListEntry> entries) throws SQLException {
    return changeAndNotify(c, () -> {
      int added = 0;
      try (PreparedStatement p = c.prepareStatement("INSERT INTO securecmd_deny_list"
          + " (kind, value, revoked_by, revoked_at, reason) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        for (DenyListEntry e : entries) {
          p.setString(1, e.kind().word());
          p.setString(2, e.value());
          p.setString(3, e.by());
          p.setObject(4, OffsetDateTime.ofInstant(e.at(), ZoneOffset.UTC));
          p.setString(5, e.reason());
          added += p.executeUpdate();
        }
      }
      return added;
    });
  }

  /** Deletes the entries, in one transaction with a notification; returns how many were there. */
  static int delete(Connection c, Collection<DenyListEntry> entries) throws SQLException {
    return changeAndNotify(c, () -> {
      int removed = 0;
      try (PreparedStatement p = c.prepareStatement("DELETE FROM securecmd_deny_list WHERE kind = ? AND value = ?")) {
        for (DenyListEntry e : entries) {
          p.setString(1, e.kind().word());
          p.setString(2, e.value());
          removed += p.executeUpdate();
        }
      }
      return removed;
    });
  }

  /** {@code work} in one transaction, with a notification to the other hosts when it changed a row. */
  private static int changeAndNotify(Connection c, Transaction.Work<Integer> work) throws SQLException {
    return Transaction.run(c, () -> {
      int n = work.run();
      if (n > 0) {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_notify('" + CHANNEL + "', '" + PAYLOAD + "')");
        }
      }
      return n;
    });
  }
}
