package org.securecmd.daemon.auth;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operator's revocations, as an immutable snapshot: identities (exact names, matched against CN and
 * SANs) and certificate serials (hex), each with who/when/why ({@link DenyListEntry}). Changing it makes a
 * new snapshot.
 *
 * @param entries by {@link DenyListEntry#key()}
 */
public record DenyList(Set<String> identities, Set<String> serials, Map<String, DenyListEntry> entries) {
  public static final DenyList EMPTY = of(List.of());

  public DenyList {
    identities = Set.copyOf(identities);
    serials = Set.copyOf(serials);
    entries = Map.copyOf(entries);
  }

  /** Entries of unknown origin (tests, lists written before who/when/why were recorded). */
  public DenyList(Set<String> identities, Set<String> serials) {
    this(identities, serials, details(identities, serials));
  }

  private static Map<String, DenyListEntry> details(Set<String> identities, Set<String> serials) {
    Map<String, DenyListEntry> m = new TreeMap<>();
    identities.forEach(n -> put(m, DenyListEntry.Kind.IDENTITY, n));
    serials.forEach(s -> put(m, DenyListEntry.Kind.SERIAL, s));
    return m;
  }

  private static void put(Map<String, DenyListEntry> m, DenyListEntry.Kind kind, String value) {
    try {
      put(m, DenyListEntry.of(kind, value));
    } catch (IllegalArgumentException e) {
      // a value no store accepts (tests build such lists to show they deny nothing extra): no details
    }
  }

  private static void put(Map<String, DenyListEntry> m, DenyListEntry e) {
    m.put(e.key(), e);
  }

  /** The list of {@code entries}; a later entry with the same key replaces an earlier one. */
  public static DenyList of(Collection<DenyListEntry> entries) {
    TreeSet<String> ids = new TreeSet<>();
    TreeSet<String> sers = new TreeSet<>();
    Map<String, DenyListEntry> m = new TreeMap<>();
    for (DenyListEntry e : entries) {
      (e.kind() == DenyListEntry.Kind.IDENTITY ? ids : sers).add(e.value());
      put(m, e);
    }
    return new DenyList(ids, sers, m);
  }

  /** The entries sorted by key. */
  public List<DenyListEntry> sorted() {
    return new TreeMap<>(entries).values().stream().toList();
  }

  public int size() {
    return entries.size();
  }

  /** The serial as stored: lower-case hex, no leading zeros, no colons. */
  public static String normalizeSerial(String serial) {
    String s = serial.replace(":", "").toLowerCase(Locale.ROOT);
    if (s.startsWith("0x")) s = s.substring(2); // before stripping zeros, or "0x0a" loses its "0" and fails
    s = s.replaceFirst("^0+(?=.)", "");
    if (!s.matches("[0-9a-f]+")) throw new IllegalArgumentException("not a hex serial: " + serial);
    return s;
  }

  /** Whether {@code value} can be stored as one entry: non-empty, no control characters, no edge spaces. */
  public static boolean validEntry(String value) {
    if (value.isEmpty() || !value.strip().equals(value)) return false;
    return value.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  public boolean denies(Identity identity) {
    if (identity.isAnonymous()) return false;
    return denies(identity.names(), identity.serial());
  }

  /** Whether a certificate with these names and serial (hex, may be empty) is on the list. */
  public boolean denies(Collection<String> names, String serial) {
    if (serial != null && !serial.isEmpty() && serials.contains(serial)) return true;
    for (String name : names) {
      if (identities.contains(name)) return true;
    }
    return false;
  }

  public DenyList withIdentity(String name) {
    if (!validEntry(name)) { // no store accepts it; tests use such lists to show they deny nothing extra
      TreeSet<String> ids = new TreeSet<>(identities);
      ids.add(name);
      return new DenyList(ids, serials, entries);
    }
    return with(DenyListEntry.of(DenyListEntry.Kind.IDENTITY, name));
  }

  public DenyList withSerial(String serial) {
    return with(DenyListEntry.of(DenyListEntry.Kind.SERIAL, serial));
  }

  /** Adds {@code e}; returns this when an entry with its key is already there (the first one is kept). */
  public DenyList with(DenyListEntry e) {
    if (entries.containsKey(e.key())) return this;
    List<DenyListEntry> all = new java.util.ArrayList<>(entries.values());
    all.add(e);
    return of(all);
  }

  /** The union: entries of {@code other} not in this one are added. */
  public DenyList plus(DenyList other) {
    DenyList out = this;
    for (DenyListEntry e : other.entries.values()) out = out.with(e);
    return out;
  }

  /** Removes {@code entry} as an identity and as a serial; returns this when it was in neither. */
  public DenyList without(String entry) {
    List<DenyListEntry> kept = entries.values().stream().filter(e -> !matches(e, entry)).toList();
    return kept.size() == entries.size() ? this : of(kept);
  }

  /** Whether {@code entry} (a name, or a serial in any accepted spelling) names {@code e}. */
  public static boolean matches(DenyListEntry e, String entry) {
    if (e.kind() == DenyListEntry.Kind.IDENTITY) return e.value().equals(entry);
    try {
      return e.value().equals(normalizeSerial(entry));
    } catch (IllegalArgumentException notASerial) {
      return false;
    }
  }
}
