package org.securecmd.daemon.state;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deny list in PostgreSQL, shared by every host. In memory this host keeps {@code synced} (the table as
 * last read) and {@code pending} (revocations made here while the database was unreachable); it enforces
 * their union. After every sync the table is written to the last-known copy, so a restart during an outage
 * still enforces it; pending revocations live in their journal until {@link Follower} writes them back.
 *
 * <p>Why the {@code writes} counter: a sync reads the table outside the lock, and a local change committed
 * meanwhile would be missing from what it read. A sync that sees the counter moved reads again, so an
 * entry never drops out of the enforced list, not even for a moment.
 */
final class PostgresStateStore implements StateStore {
  private static final Logger log = LoggerFactory.getLogger(PostgresStateStore.class);
  static final String LAST_KNOWN = "revoked.last-known";
  static final String PENDING = "revoked.pending";
  static final String IMPORTED = "revoked.imported";

  private final Database db;
  private final Clock clock;
  private final DenyListFile lastKnown;
  private final DenyListFile journal;
  private final Object lock = new Object();
  private DenyList synced;
  private DenyList pending;
  private DenyList lastSaved;
  private long writes;
  private final Writer writer;
  private volatile DenyList current;
  private volatile StateHealth health;
  private volatile StateListener listener = new StateListener() {
    @Override public void denyListChanged(DenyList now) {}
    @Override public void healthChanged(StateHealth now) {}
  };
  private Follower follower;

  private PostgresStateStore(Database db, Path dir, Clock clock) throws IOException {
    this.db = db;
    this.clock = clock;
    this.writer = new Writer(db);
    this.lastKnown = new DenyListFile(dir.resolve(LAST_KNOWN), "# securecmd: the shared deny list as last read from "
        + db.shown() + "; enforced when the database is unreachable. Do not edit.\n");
    this.journal = new DenyListFile(dir.resolve(PENDING), "# securecmd: revocations made on this host while the"
        + " database was unreachable, written to it when it is back. Do not edit.\n");
    this.pending = journal.load();
    this.synced = lastKnown.load();
    this.lastSaved = synced;
    this.current = synced.plus(pending);
    this.health = new StateHealth("postgresql", false, Optional.empty(), pending.size(), "");
  }

  /**
   * Connects, creates or migrates the schema, imports the file backend's list once, reads the deny list,
   * and starts following changes. Without the database it starts degraded from the last-known copy.
   *
   * @throws IOException when the database is unreachable and there is no last-known copy, when its schema
   *     is newer than this daemon knows, or when a local file is unreadable
   */
  static PostgresStateStore open(Database db, Path dir, Clock clock, ThreadFactory followerThread)
      throws IOException {
    PostgresStateStore s = new PostgresStateStore(db, dir, clock);
    try (Connection c = db.open()) {
      int before = Schema.migrate(c);
      if (before < Schema.LATEST) log.info("state: schema of {} is now version {} (was {})", db.shown(), Schema.LATEST, before);
      s.importFileList(c, dir);
      s.flushPending(c);
      s.sync(c);
    } catch (Schema.TooNew e) {
      throw new IOException("[state] " + db.shown() + ": " + e.getMessage(), e);
    } catch (SQLException e) {
      if (!s.lastKnown.exists()) {
        throw new IOException("[state] cannot reach the database " + db.shown() + " (" + Follower.describe(e) + ") and"
            + " there is no last-known copy of the deny list (" + s.lastKnown.file() + "): refusing to start"
            + " without it. Start the database or fix [state], then start securecmdd again", e);
      }
      s.degraded("cannot reach the database at start (" + Follower.describe(e) + "); serving the last-known deny"
          + " list from " + s.lastKnown.file());
      log.warn("state: {}", s.health.detail());
    }
    s.follower = new Follower(db, s, followerThread);
    s.follower.start();
    return s;
  }

  /** Switching from the file backend: its list goes into the database once (idempotent), then is renamed. */
  private void importFileList(Connection c, Path dir) throws SQLException, IOException {
    DenyListFile old = new DenyListFile(dir.resolve(StateStores.FILE_BACKEND_LIST), FileStateStore.HEADER);
    if (!old.exists()) return;
    DenyList list = old.load();
    int added = DenyListTable.insert(c, list.entries().values());
    old.moveTo(dir.resolve(IMPORTED)); // after the commit: a crash in between imports again, adding nothing
    log.info("state: imported {} of {} entries of {} into the database (the file is now {})", added, list.size(),
        old.file(), IMPORTED);
  }

  @Override
  public DenyList denyList() {
    return current;
  }

  @Override
  public Revoked revoke(DenyListEntry entry) {
    synchronized (lock) {
      if (current.entries().containsKey(entry.key())) return Revoked.UNCHANGED;
      writes++;
      pending = pending.with(entry);
      current = synced.plus(pending); // in effect here before anything touches the network
      if (!health.degraded()) {
        try {
          writer.run(c -> DenyListTable.insert(c, List.of(entry)));
          synced = synced.with(entry);
          pending = remove(pending, entry);
          saveLastKnown();
          return Revoked.SAVED;
        } catch (SQLException e) {
          degraded("cannot write to the database (" + Follower.describe(e) + ")");
        }
      }
      try {
        journal.save(pending);
      } catch (IOException e) {
        log.error("state: cannot save the pending journal {}: {}", journal.file(), e.toString());
        return Revoked.THIS_RUN_ONLY;
      }
      return Revoked.THIS_HOST_ONLY;
    }
  }

  @Override
  public boolean unrevoke(String entry) throws Unavailable {
    synchronized (lock) {
      if (health.degraded()) throw unavailable();
      List<DenyListEntry> candidates = new ArrayList<>();
      candidates.add(DenyListEntry.of(DenyListEntry.Kind.IDENTITY, entry));
      try {
        candidates.add(DenyListEntry.of(DenyListEntry.Kind.SERIAL, entry));
      } catch (IllegalArgumentException notASerial) {
        // an identity only
      }
      int removed;
      try {
        removed = writer.run(c -> DenyListTable.delete(c, candidates));
      } catch (SQLException e) {
        degraded("cannot write to the database (" + Follower.describe(e) + ")");
        throw unavailable();
      }
      writes++;
      boolean known = current.without(entry) != current;
      synced = synced.without(entry);
      current = synced.plus(pending);
      saveLastKnown();
      return removed > 0 || known;
    }
  }

  private Unavailable unavailable() {
    return new Unavailable("the shared state database is unreachable (" + health.detail() + "): an unrevoke now"
        + " would widen access on this host only; try again when `securecmdctl status` no longer says degraded");
  }

  /** Writes the pending journal into the database (called by the follower after each reconnect). */
  void flushPending(Connection c) throws SQLException {
    DenyList toWrite;
    synchronized (lock) {
      toWrite = pending;
    }
    if (toWrite.size() == 0) return;
    int added = DenyListTable.insert(c, toWrite.entries().values());
    synchronized (lock) {
      writes++;
      synced = synced.plus(toWrite);
      DenyList left = pending;
      for (DenyListEntry e : toWrite.entries().values()) left = remove(left, e);
      pending = left;
      current = synced.plus(pending);
      try {
        if (pending.size() == 0) journal.delete();
        else journal.save(pending);
      } catch (IOException e) {
        log.error("state: cannot update the pending journal {}: {}", journal.file(), e.toString());
      }
    }
    log.info("state: wrote {} revocation(s) made during the outage to the database ({} new there)", toWrite.size(), added);
  }

  private static DenyList remove(DenyList list, DenyListEntry e) {
    List<DenyListEntry> kept = list.entries().values().stream().filter(x -> !x.key().equals(e.key())).toList();
    return kept.size() == list.size() ? list : DenyList.of(kept);
  }

  /** Reads the table and installs it; tells the listener when the enforced list changed. */
  void sync(Connection c) throws SQLException {
    DenyList before;
    DenyList after;
    boolean recovered;
    while (true) {
      long seen;
      synchronized (lock) {
        seen = writes;
      }
      DenyList read = DenyListTable.readAll(c);
      synchronized (lock) {
        if (seen != writes) continue; // a local change committed while we read: read again (class comment)
        before = current;
        synced = read;
        current = synced.plus(pending);
        after = current;
        saveLastKnown();
        recovered = health.degraded();
        health = new StateHealth("postgresql", false, Optional.of(clock.instant()), pending.size(), "");
        break;
      }
    }
    if (!after.equals(before)) listener.denyListChanged(after);
    if (recovered) {
      log.info("state: the database is reachable again; deny list resynced");
      listener.healthChanged(health);
    }
  }

  private void saveLastKnown() {
    if (synced.equals(lastSaved) && lastKnown.exists()) return;
    try {
      lastKnown.save(synced);
      lastSaved = synced;
    } catch (IOException e) {
      log.error("state: cannot save the last-known copy {}: {}", lastKnown.file(), e.toString());
    }
  }

  /** Marks the store degraded (once per outage in the log and to the listener). */
  void degraded(String why) {
    StateHealth h;
    synchronized (lock) {
      boolean was = health.degraded();
      health = new StateHealth("postgresql", true, health.lastSync(), pending.size(), why);
      if (was) return;
      h = health;
    }
    log.warn("state: degraded: {}", why);
    listener.healthChanged(h);
  }

  @Override
  public void listen(StateListener l) {
    this.listener = l;
  }

  @Override
  public StateHealth health() {
    StateHealth h = health;
    return h.degraded() ? new StateHealth(h.backend(), true, h.lastSync(), pendingCount(), h.detail()) : h;
  }

  private int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }

  @Override
  public void close() {
    if (follower != null) follower.close();
    synchronized (lock) {
      writer.close();
    }
  }
}
