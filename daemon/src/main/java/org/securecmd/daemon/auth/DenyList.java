package org.securecmd.daemon.auth;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The local revocations made by the operator, as an immutable snapshot: identities (exact names, matched
 * against CN and SANs) and certificate serials (hex). Changing it makes a new snapshot.
 */
public record DenyList(Set<String> identities, Set<String> serials) {
  public static final DenyList EMPTY = new DenyList(Set.of(), Set.of());

  public DenyList {
    identities = Set.copyOf(identities);
    serials = Set.copyOf(serials);
  }

  /** The serial as stored: lower-case hex, no leading zeros, no colons. */
  public static String normalizeSerial(String serial) {
    String s = serial.replace(":", "").toLowerCase(Locale.ROOT);
    if (s.startsWith("0x")) s = s.substring(2); // before stripping zeros, or "0x0a" loses its "0" and fails
    s = s.replaceFirst("^0+(?=.)", "");
    if (!s.matches("[0-9a-f]+")) throw new IllegalArgumentException("not a hex serial: " + serial);
    return s;
  }

  public boolean denies(Identity identity) {
    if (identity.isAnonymous()) return false;
    if (serials.contains(identity.serial())) return true;
    for (String name : identity.names()) {
      if (identities.contains(name)) return true;
    }
    return false;
  }

  public DenyList withIdentity(String name) {
    TreeSet<String> s = new TreeSet<>(identities);
    s.add(name);
    return new DenyList(s, serials);
  }

  public DenyList withSerial(String serial) {
    TreeSet<String> s = new TreeSet<>(serials);
    s.add(normalizeSerial(serial));
    return new DenyList(identities, s);
  }

  /** Removes {@code entry} as an identity and as a serial; returns this when it was in neither. */
  public DenyList without(String entry) {
    TreeSet<String> ids = new TreeSet<>(identities);
    TreeSet<String> sers = new TreeSet<>(serials);
    boolean changed = ids.remove(entry);
    try {
      changed |= sers.remove(normalizeSerial(entry));
    } catch (IllegalArgumentException notASerial) {
      // only an identity then
    }
    return changed ? new DenyList(ids, sers) : this;
  }
}
