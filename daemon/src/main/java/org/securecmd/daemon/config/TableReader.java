package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Typed, checked reads from one TOML table. Every failure names the file, the line, the table and key,
 * shows the value, and says what is allowed. A missing table reads as empty: every key takes its default.
 * Each settings record reads its own table through one of these ({@code ServerSettings.read(r)}), with each
 * key's default and range written beside it; the reader checks them once, as the key is read. An optional
 * key without a default reads as {@link Optional}: nothing in the config records is null for "absent".
 */
final class TableReader {
  private final Path file;
  private final String name;
  private final TomlTable table;
  private final Origins origins;

  TableReader(Path file, String name, TomlTable table, Origins origins) {
    this.file = file;
    this.name = name;
    this.table = table;
    this.origins = origins;
  }

  /** Refuses any key not in {@code allowed}, listing them in the given (documented) order. */
  void onlyKeys(List<String> allowed) throws ConfigException {
    if (table == null) return;
    for (String key : table.keySet()) {
      if (!allowed.contains(key)) {
        throw new ConfigException(file, line(key), label(key), "is not a known key; expected one of "
            + String.join(", ", allowed));
      }
    }
  }

  boolean has(String key) {
    return table != null && table.get(List.of(key)) != null;
  }

  String string(String key, String fallback) throws ConfigException {
    return optionalString(key).orElse(fallback);
  }

  Optional<String> optionalString(String key) throws ConfigException {
    Object v = raw(key);
    if (v == null) return Optional.empty();
    if (!(v instanceof String s)) throw typeError(key, v, "a string");
    return Optional.of(s);
  }

  /** A string that may be a secret: a value of the wrong type is not shown either (a PIN written unquoted). */
  Optional<String> secretString(String key) throws ConfigException {
    Object v = raw(key);
    if (v == null) return Optional.empty();
    if (!(v instanceof String s)) throw error(key, "(hidden)", "expected a string");
    return Optional.of(s);
  }

  /** One of the {@code allowed} names (listed in documented order), as its value; {@code fallback} when unset. */
  @SafeVarargs
  final <T> T choice(String key, String fallback, Map.Entry<String, T>... allowed) throws ConfigException {
    String text = string(key, fallback);
    for (Map.Entry<String, T> a : allowed) {
      if (a.getKey().equals(text)) return a.getValue();
    }
    throw error(key, quoted(text), "expected " + oneOf(Arrays.stream(allowed).map(Map.Entry::getKey).toList()));
  }

  /**
   * A path; relative paths are resolved against the config file's directory. Empty means unset, as does an
   * absent key whose {@code fallback} is empty.
   */
  Optional<Path> optionalPath(String key, String fallback) throws ConfigException {
    String s = string(key, fallback);
    if (s.isEmpty()) return Optional.empty();
    if (s.indexOf('\0') >= 0) throw error(key, quoted(s), "contains a NUL byte");
    Path p = Path.of(s);
    Path dir = file.toAbsolutePath().getParent();
    return Optional.of(p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize());
  }

  /** A path that must not be empty: {@code [table] key = "": detail} when it is. */
  Path requiredPath(String key, String fallback, String detail) throws ConfigException {
    Optional<Path> p = optionalPath(key, fallback);
    if (p.isEmpty()) throw error(key, "\"\"", detail);
    return p.get();
  }

  Duration duration(String key, Duration fallback, Duration min, Duration max) throws ConfigException {
    Object v = raw(key);
    if (v == null) return fallback;
    if (!(v instanceof String s)) throw typeError(key, v, Durations.ALLOWED);
    Duration d;
    try {
      d = Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw error(key, quoted(s), e.getMessage());
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw error(key, quoted(s), "must be between " + Durations.format(min) + " and " + Durations.format(max));
    }
    return d;
  }

  long size(String key, long fallback, long min, long max) throws ConfigException {
    Object v = raw(key);
    if (v == null) return fallback;
    long n;
    if (v instanceof Long l) {
      n = l;
    } else if (v instanceof String s) {
      try {
        n = Sizes.parse(s);
      } catch (IllegalArgumentException e) {
        throw error(key, quoted(s), e.getMessage());
      }
    } else {
      throw typeError(key, v, Sizes.ALLOWED);
    }
    if (n < min || n > max) throw error(key, show(v), "must be between " + min + " and " + max + " bytes");
    return n;
  }

  boolean bool(String key, boolean fallback) throws ConfigException {
    Object v = raw(key);
    if (v == null) return fallback;
    if (!(v instanceof Boolean b)) throw typeError(key, v, "true or false");
    return b;
  }

  long integer(String key, long fallback, long min, long max) throws ConfigException {
    Object v = raw(key);
    if (v == null) return fallback;
    if (!(v instanceof Long n)) throw typeError(key, v, "a whole number");
    if (n < min || n > max) throw error(key, String.valueOf(n), "must be between " + min + " and " + max);
    return n;
  }

  List<String> strings(String key, List<String> fallback) throws ConfigException {
    Object v = raw(key);
    if (v == null) return fallback;
    if (!(v instanceof TomlArray a)) throw typeError(key, v, "an array of strings");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!(a.get(i) instanceof String s)) throw typeError(key, v, "an array of strings");
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** An array of whole numbers; {@code fallback} when unset. */
  List<Long> integers(String key, List<Long> fallback) throws ConfigException {
    Object v = raw(key);
    if (v == null) return fallback;
    if (!(v instanceof TomlArray a)) throw typeError(key, v, "an array of whole numbers");
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!(a.get(i) instanceof Long n)) throw typeError(key, v, "an array of whole numbers");
      out.add(n);
    }
    return List.copyOf(out);
  }

  /** The keys written in this table, in file order. */
  List<String> keys() {
    return table == null ? List.of() : List.copyOf(table.keySet());
  }

  /** The sub-table {@code [name.key]} as a reader of its own (its errors name it); empty when unset. */
  Optional<TableReader> table(String key) throws ConfigException {
    Object v = raw(key);
    if (v == null) return Optional.empty();
    if (!(v instanceof TomlTable t)) throw typeError(key, v, "a table ([" + name + "." + key + "])");
    origins.recordTable(name + "." + key, line(key));
    return Optional.of(new TableReader(file, name + "." + key, t, origins));
  }

  /**
   * An array of tables ({@code key = [{...}, {...}]} or {@code [[name.key]]}), each as a reader named
   * {@code name.key[N]} (N from 1); {@code fallback} when unset.
   */
  List<TableReader> tables(String key, List<TableReader> fallback) throws ConfigException {
    Object v = raw(key);
    if (v == null) return fallback;
    if (!(v instanceof TomlArray a)) throw typeError(key, v, "an array of tables");
    List<TableReader> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!(a.get(i) instanceof TomlTable t)) throw typeError(key, v, "an array of tables");
      out.add(new TableReader(file, name + "." + key + "[" + (i + 1) + "]", t, origins));
    }
    return List.copyOf(out);
  }

  /** The line of this table's first key, else of {@code key} in it (0 when unknown). */
  int lineOf(String key) {
    return line(key);
  }

  /** This table's name as errors show it, without brackets ({@code attestation.states.golden}). */
  String name() {
    return name;
  }

  /** Identity patterns ({@code allow}): each non-empty, without spaces around or control characters. */
  List<String> patterns(String key) throws ConfigException {
    List<String> patterns = strings(key, List.of());
    for (String p : patterns) {
      if (p.isEmpty() || !p.equals(p.strip()) || p.chars().anyMatch(Character::isISOControl)) {
        throw error(key, quoted(p), "patterns are non-empty, without spaces around or control characters");
      }
    }
    return patterns;
  }

  /** An error about the value of {@code key}, as {@code [table] key = value: detail}. */
  ConfigException error(String key, String shownValue, String detail) {
    return new ConfigException(file, line(key), label(key) + " = " + shownValue + ":", detail);
  }

  /**
   * An error about a key that is absent, empty, or set without the key it needs: at the key's own line when
   * the key is written in this table (empty, or in conflict), else at the line of its table's header.
   */
  ConfigException missing(String key, String detail) {
    return new ConfigException(file, has(key) ? line(key) : origins.tableLine(name), label(key), detail);
  }

  private Object raw(String key) {
    if (table == null) return null;
    Object v = table.get(List.of(key));
    if (v != null) origins.record(name, key, line(key));
    return v;
  }

  private ConfigException typeError(String key, Object v, String expected) {
    return error(key, show(v), "expected " + expected);
  }

  private int line(String key) {
    if (table == null) return 0;
    TomlPosition p = table.inputPositionOf(List.of(key));
    return p == null ? 0 : p.line();
  }

  private String label(String key) {
    return "[" + name + "] " + key;
  }

  /** {@code "a"}, {@code "a" or "b"}, {@code "a", "b" or "c"}. */
  static String oneOf(List<String> names) {
    List<String> q = names.stream().map(TableReader::quoted).toList();
    if (q.size() == 1) return q.get(0);
    return String.join(", ", q.subList(0, q.size() - 1)) + " or " + q.get(q.size() - 1);
  }

  static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String show(Object v) {
    if (v instanceof String s) return quoted(s);
    if (v instanceof TomlArray a) return a.toJson().replaceAll("\\s+", "");
    if (v instanceof TomlTable) return "{...}";
    return String.valueOf(v);
  }
}
