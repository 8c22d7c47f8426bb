package org.securecmd.daemon.state;

import org.securecmd.daemon.auth.DenyList;

/** What the daemon hears from its {@link StateStore} without asking. Called on the store's own thread. */
public interface StateListener {
  /**
   * The deny list changed without a local {@link StateStore#revoke}/{@code unrevoke}: another host, or a
   * resync. {@code now} is already what {@link StateStore#denyList()} returns; open connections it denies
   * must be closed.
   */
  void denyListChanged(DenyList now);

  /** The store became degraded or recovered. */
  void healthChanged(StateHealth now);
}
