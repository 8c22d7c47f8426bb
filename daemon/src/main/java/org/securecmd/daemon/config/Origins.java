package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each key of a loaded file stood, so that checks made after parsing (a key file that is world
 * readable, a CA that does not parse) can still point at the line. Filled while loading, then frozen.
 */
public final class Origins {
  private final Path file;
  private final Map<String, Integer> lines = new HashMap<>();
  private boolean frozen;

  Origins(Path file) {
    this.file = file;
  }

  void record(String table, String key, int line) {
    if (frozen) throw new IllegalStateException("origins are frozen");
    lines.put(table + "." + key, line);
  }

  void recordTable(String table, int line) {
    record(table, "", line);
  }

  int tableLine(String table) {
    return lines.getOrDefault(table + ".", 0);
  }

  Origins freeze() {
    frozen = true;
    return this;
  }

  public Path file() {
    return file;
  }

  /** An error about {@code [table] key}, at the line it was set on (or the file, when it was not set). */
  public ConfigException error(String table, String key, Object value, String detail) {
    Integer line = lines.get(table + "." + key);
    String shown = value == null ? "" : " = " + TableReader.quoted(String.valueOf(value)) + ":";
    return new ConfigException(file, line == null ? 0 : line, "[" + table + "] " + key + shown, detail);
  }
}
