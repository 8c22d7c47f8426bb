package org.securecmd.daemon.admin;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;
import org.securecmd.daemon.state.Successors;
import org.securecmd.daemon.auth.LogText;
import org.securecmd.daemon.server.ConnectionRegistry;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.StateHealth;
import org.securecmd.daemon.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to the operator's deny list: each goes to the state store (which puts it in effect for every new
 * request), then {@link #enforce} re-checks the open connections and closes those it denies with
 * {@code ERR FORBIDDEN}. A change that arrives from another host takes the same {@link #enforce} path.
 * One local change at a time. Revoking a serial also revokes its renewed successors never used on a
 * connection ({@link Successors}).
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);

  private final StateStore store;
  private final ConnectionRegistry registry;
  private final Clock clock;
  private final String host;
  private final Successors successors;

  /** @param host this machine's name, recorded with each revocation ({@code user@host}) */
  public Revocations(StateStore store, ConnectionRegistry registry, Clock clock, String host) {
    this(store, registry, clock, host, null);
  }

  /** @param successors the renewed certificates a serial's revocation takes along; null for none */
  public Revocations(StateStore store, ConnectionRegistry registry, Clock clock, String host, Successors successors) {
    this.store = store;
    this.registry = registry;
    this.clock = clock;
    this.host = host;
    this.successors = successors;
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
    StateStore.Revoked reach = store.revoke(entry); // in store.denyList() at once, whatever the database does
    if (kind == DenyListEntry.Kind.SERIAL) revokeUnusedSuccessors(List.of(value), who, "of " + value);
    int closed = enforce();
    log.info("revoked {} ({}): {} open connection(s) closed{}", LogText.quoted(entry.key()), reach, closed,
        reason.isEmpty() ? "" : "; reason: " + LogText.quoted(reason));
    return new Change(reach != StateStore.Revoked.UNCHANGED, closed, reach);
  }

  /**
   * Revokes the never-used successors of {@code serials} (a revoke, or the entries of a CRL); returns how
   * many it added. Their predecessor's revocation stands when the issuance records cannot be read.
   */
  public synchronized int revokeUnusedSuccessors(Collection<String> serials, String who, String what) {
    if (successors == null) return 0;
    List<Issuance> found;
    try {
      List<String> normalised = new ArrayList<>();
      for (String s : serials) normalised.add(DenyList.normalizeSerial(s));
      found = successors.unusedOf(normalised);
    } catch (IOException | IllegalArgumentException e) {
      log.warn("cannot look up the renewed successors {} (they stay valid): {}", what, e.getMessage());
      return 0;
    }
    int added = 0;
    for (Issuance i : found) {
      if (store.denyList().serials().contains(i.serial())) continue;
      store.revoke(new DenyListEntry(DenyListEntry.Kind.SERIAL, i.serial(), who, clock.instant(),
          "renewed from revoked serial " + i.oldSerial() + ", never used"));
      log.info("revoked serial {} of {} with its predecessor {}: never used", i.serial(), i.identity(), i.oldSerial());
      added++;
    }
    return added;
  }

  /**
   * What an unrevoke removed: the identity entry, the serial entry (normalised), or both when the value
   * names both (an identity "abc" and the serial abc).
   */
  public record Removal(Optional<String> identity, Optional<String> serial) {
    public boolean changed() {
      return identity.isPresent() || serial.isPresent();
    }
  }

  /**
   * Removes {@code entry} as an identity and as a serial, whichever it is on the list as.
   *
   * @throws StateStore.Unavailable when the store cannot remove it everywhere now; nothing changed
   */
  public synchronized Removal unrevoke(String entry) throws StateStore.Unavailable {
    DenyList before = store.denyList();
    Optional<String> identity = Optional.of(entry).filter(before.identities()::contains);
    Optional<String> serial;
    try {
      serial = Optional.of(DenyList.normalizeSerial(entry)).filter(before.serials()::contains);
    } catch (IllegalArgumentException notHex) {
      serial = Optional.empty();
    }
    if (!store.unrevoke(entry)) return new Removal(Optional.empty(), Optional.empty());
    if (identity.isEmpty() && serial.isEmpty()) identity = Optional.of(entry); // only the database had it
    log.info("unrevoked{}{}", identity.map(i -> " identity " + LogText.token(i)).orElse(""),
        serial.map(h -> " serial " + h).orElse(""));
    return new Removal(identity, serial);
  }

  /**
   * The policy-change hook: re-checks every open connection against the current generation and deny list,
   * closing the refused ones with {@code ERR FORBIDDEN}; returns how many. Called after a local change and
   * when the store reports one from elsewhere.
   */
  public int enforce() {
    return registry.recheckOpenConnections();
  }
}
