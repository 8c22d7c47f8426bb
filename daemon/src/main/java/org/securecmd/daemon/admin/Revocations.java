package org.securecmd.daemon.admin;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListStore;
import org.securecmd.daemon.server.ConnectionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to the operator's deny list: each change is saved, then installed (every request reads it), then
 * open connections are re-checked and those it denies closed with {@code ERR FORBIDDEN}. One change at a
 * time, so saves never interleave.
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);

  private final AtomicReference<DenyList> current;
  private final DenyListStore store;
  private final ConnectionRegistry registry;

  /** @param current the daemon's deny list, already loaded from {@code store} */
  public Revocations(AtomicReference<DenyList> current, DenyListStore store, ConnectionRegistry registry) {
    this.current = current;
    this.store = store;
    this.registry = registry;
  }

  /**
   * What a change did.
   *
   * @param saveError empty when saved; otherwise the change applies to this run only, and this says why
   */
  public record Change(boolean changed, int disconnected, String saveError) {}

  public DenyList list() {
    return current.get();
  }

  public synchronized Change revokeIdentity(String name) {
    return apply(current.get().withIdentity(name), "identity " + name);
  }

  public synchronized Change revokeSerial(String serial) {
    String s = DenyList.normalizeSerial(serial);
    return apply(current.get().withSerial(s), "serial " + s);
  }

  /**
   * What an unrevoke removed: the identity entry, the serial entry (normalised), or both when the value
   * names both (an identity "abc" and the serial abc).
   *
   * @param saveError as in {@link Change}
   */
  public record Removal(Optional<String> identity, Optional<String> serial, String saveError) {
    public boolean changed() {
      return identity.isPresent() || serial.isPresent();
    }
  }

  /** Removes {@code entry} as an identity and as a serial, whichever it is on the list as. */
  public synchronized Removal unrevoke(String entry) {
    DenyList before = current.get();
    Optional<String> identity = Optional.of(entry).filter(before.identities()::contains);
    Optional<String> serial;
    try {
      serial = Optional.of(DenyList.normalizeSerial(entry)).filter(before.serials()::contains);
    } catch (IllegalArgumentException notHex) {
      serial = Optional.empty();
    }
    if (identity.isEmpty() && serial.isEmpty()) return new Removal(identity, serial, "");
    DenyList after = before.without(entry);
    String saveError = save(after);
    current.set(after);
    log.info("unrevoked{}{}", identity.map(i -> " identity " + i).orElse(""), serial.map(h -> " serial " + h).orElse(""));
    return new Removal(identity, serial, saveError);
  }

  private Change apply(DenyList after, String what) {
    boolean changed = !after.equals(current.get());
    String saveError = changed ? save(after) : "";
    // Installed even when the save failed: a revocation must take effect now; the error is reported.
    current.set(after);
    int closed = registry.recheckOpenConnections();
    log.info("revoked {}: {} open connection(s) closed", what, closed);
    return new Change(changed, closed, saveError);
  }

  private String save(DenyList list) {
    try {
      store.save(list);
      return "";
    } catch (IOException e) {
      log.error("cannot save the deny list to {}: {}", store.file(), e.toString());
      return "cannot save " + store.file() + ": " + e.getMessage() + "; the change applies until the daemon stops";
    }
  }
}
