package org.securecmd.daemon.admin;

import java.time.Clock;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;
import org.securecmd.daemon.server.ConnectionRegistry;
import org.securecmd.daemon.state.StateHealth;
import org.securecmd.daemon.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to the operator's deny list: each goes to the state store (which puts it in effect for new
 * connections), then {@link #enforce} closes the open connections the list now denies. A change that
 * arrives from another host takes the same {@link #enforce} path. One local change at a time.
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);

  private final StateStore store;
  private final ConnectionRegistry registry;
  private final Clock clock;
  private final String host;

  /** @param host this machine's name, recorded with each revocation ({@code user@host}) */
  public Revocations(StateStore store, ConnectionRegistry registry, Clock clock, String host) {
    this.store = store;
    this.registry = registry;
    this.clock = clock;
    this.host = host;
  }

  /**
   * What a change did.
   *
   * @param reach where a revocation was saved ({@link StateStore.Revoked#UNCHANGED} for an unrevoke)
   */
  public record Change(boolean changed, int disconnected, StateStore.Revoked reach) {}

  public DenyList list() {
    return store.denyList();
  }

  public StateHealth health() {
    return store.health();
  }

  /** @param by who asks (the admin user), empty when unknown */
  public synchronized Change revoke(DenyListEntry.Kind kind, String value, String by, String reason) {
    String who = by.isEmpty() ? host : by + "@" + host;
    DenyListEntry entry = new DenyListEntry(kind, value, who, clock.instant(), reason);
    // Open connections first: the store may take seconds to find its database unreachable, and the
    // revocation must not wait for that (new connections read store.denyList(), which has it at once).
    int closed = enforce(store.denyList().with(entry));
    StateStore.Revoked reach = store.revoke(entry);
    closed += enforce(store.denyList());
    log.info("revoked {} ({}): {} open connection(s) closed{}", entry.key(), reach, closed,
        reason.isEmpty() ? "" : "; reason: " + reason);
    return new Change(reach != StateStore.Revoked.UNCHANGED, closed, reach);
  }

  public synchronized Change unrevoke(String entry) throws StateStore.Unavailable {
    boolean changed = store.unrevoke(entry);
    if (changed) log.info("unrevoked {}", entry);
    return new Change(changed, 0, StateStore.Revoked.UNCHANGED);
  }

  /**
   * The policy-change hook for the deny list: closes every open connection {@code list} denies; returns how
   * many. Called after a local change and when the store reports one from elsewhere.
   */
  public int enforce(DenyList list) {
    return registry.disconnectIf(c -> list.denies(c.names(), c.serial()));
  }
}
