package org.securecmd.daemon.state;

import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;

/**
 * What every host of a fleet must agree on, behind one interface: today the deny list. {@link FileStateStore}
 * keeps it in the state directory (the default), {@link PostgresStateStore} in a shared database. The daemon
 * reads {@link #denyList()} on every connection, so it is a cheap in-memory snapshot in both.
 *
 * <pre>{@code
 * StateStore store = StateStores.open(config.state(), hostName);
 * store.listen(listener);                       // changes made elsewhere, health changes
 * Revoked r = store.revoke(entry);              // in effect here at once, whatever r says
 * }</pre>
 */
public interface StateStore extends AutoCloseable {
  /** The deny list this host enforces now: the last synced list plus revocations not yet written. */
  DenyList denyList();

  /**
   * Adds {@code entry}. It is in {@link #denyList()} when this returns, whatever the outcome: a revocation
   * never waits for, and is never undone by, a failing store.
   */
  Revoked revoke(DenyListEntry entry);

  /**
   * Removes {@code entry} (a name, or a serial in any spelling) everywhere.
   *
   * @return whether it was on the list
   * @throws Unavailable when the removal cannot reach every host now (the shared store is unreachable): the
   *     list is unchanged, because an unrevoke on one host only would widen access there alone
   */
  boolean unrevoke(String entry) throws Unavailable;

  /** Whom to tell about changes made elsewhere and about health changes; set once, before they can happen. */
  void listen(StateListener listener);

  StateHealth health();

  /** Stops background work (listening, reconnecting); pending revocations stay in their journal. */
  @Override
  void close();

  /** What a revocation reached. */
  enum Revoked {
    /** Already on the list; nothing changed. */
    UNCHANGED,
    /** Saved where every host (or, for the file backend, every restart) sees it. */
    SAVED,
    /** In effect on this host; kept in the pending journal until the shared store is back. */
    THIS_HOST_ONLY,
    /** In effect until this daemon stops: it could not be saved at all ({@link StateHealth#detail} says why). */
    THIS_RUN_ONLY
  }

  /** The change cannot be made everywhere now; nothing was changed. */
  final class Unavailable extends Exception {
    public Unavailable(String message) {
      super(message);
    }
  }
}
