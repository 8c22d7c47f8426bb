package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Typed, checked reads from one TOML table. Every failure names the file, the line, the table and key,
 * shows the value, and says what is allowed. A missing table reads as empty: every key takes its default.
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
    Object v = raw(key);
    if (v == null) return fallback;
    if (!(v instanceof String s)) throw typeError(key, v, "a string");
    return s;
  }

  /** A string that may be a secret: a value of the wrong type is not shown either (a PIN written unquoted). */
  String secretString(String key) throws ConfigException {
    Object v = raw(key);
    if (v == null) return null;
    if (!(v instanceof String s)) throw error(key, "(hidden)", "expected a string");
    return s;
  }

  /** A path; relative paths are resolved against the config file's directory. Empty means unset (null). */
  Path path(String key, String fallback) throws ConfigException {
    String s = string(key, fallback);
    if (s == null || s.isEmpty()) return null;
    if (s.indexOf('\0') >= 0) throw error(key, quoted(s), "contains a NUL byte");
    Path p = Path.of(s);
    Path dir = file.toAbsolutePath().getParent();
    return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
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

  /** An error about the value of {@code key}, as {@code [table] key = value: detail}. */
  ConfigException error(String key, String shownValue, String detail) {
    return new ConfigException(file, line(key), label(key) + " = " + shownValue + ":", detail);
  }

  /** An error about a key that is absent or whose absence matters. */
  ConfigException missing(String key, String detail) {
    return new ConfigException(file, origins.tableLine(name), label(key), detail);
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
