package org.securecmd.daemon.state;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: the deny list in {@code <state directory>/revoked}, saved atomically after every
 * change. Nothing changes behind the daemon's back, so the listener only hears about health (a failed save).
 */
final class FileStateStore implements StateStore {
  private static final Logger log = LoggerFactory.getLogger(FileStateStore.class);
  static final String HEADER = "# securecmd deny list, written by securecmdd (securecmdctl revoke/unrevoke).\n"
      + "# One entry per line: \"identity NAME\" or \"serial HEX\", then tab-separated by=, at=, reason=.\n"
      + "# Edit only while the daemon is stopped.\n";

  private final DenyListFile file;
  private final Clock clock;
  private volatile DenyList current;
  private volatile StateHealth health;

  /** @throws IOException when the saved list is unreadable or corrupt (it is never silently discarded) */
  FileStateStore(Path file, Clock clock) throws IOException {
    this.file = new DenyListFile(file, HEADER);
    this.clock = clock;
    this.current = this.file.load();
    this.health = new StateHealth("file", false, Optional.of(clock.instant()), 0, "");
  }

  @Override
  public DenyList denyList() {
    return current;
  }

  @Override
  public synchronized Revoked revoke(DenyListEntry entry) {
    DenyList after = current.with(entry);
    if (after == current) return Revoked.UNCHANGED;
    current = after; // in effect even when the save fails: a revocation must not wait for a disk
    return save(after) ? Revoked.SAVED : Revoked.THIS_RUN_ONLY;
  }

  @Override
  public synchronized boolean unrevoke(String entry) throws Unavailable {
    DenyList after = current.without(entry);
    if (after == current) return false;
    // saved first: an unrevoke that cannot be saved is refused (it would widen access, then undo itself)
    if (!save(after)) throw new Unavailable(health.detail().replace("the change applies until the daemon stops",
        "nothing was changed"));
    current = after;
    return true;
  }

  private boolean save(DenyList list) {
    try {
      file.save(list);
      health = new StateHealth("file", false, Optional.of(clock.instant()), 0, "");
      return true;
    } catch (IOException e) {
      log.error("cannot save the deny list to {}: {}", file.file(), e.toString());
      health = new StateHealth("file", false, health.lastSync(), 0,
          "cannot save " + file.file() + ": " + e.getMessage() + "; the change applies until the daemon stops");
      return false;
    }
  }

  @Override
  public void listen(StateListener listener) {
    // nothing changes behind our back; save errors are returned to the caller and kept in health()
  }

  @Override
  public StateHealth health() {
    return health;
  }

  @Override
  public void close() {}
}
