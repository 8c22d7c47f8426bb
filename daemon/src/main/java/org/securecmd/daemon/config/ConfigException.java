package org.securecmd.daemon.config;

import java.nio.file.Path;

/**
 * A configuration that cannot be used. The message reads
 * {@code config.toml:14: [clients] auth = "requried": expected "required", "optional" or "none"}.
 */
public final class ConfigException extends Exception {
  private final Path file;
  private final int line;
  private final String key;

  /**
   * @param line 1-based line, or 0 when TOML gives none (a missing key, an unreadable file)
   * @param key {@code [table] key}, or {@code null} when the error is about the whole file
   */
  public ConfigException(Path file, int line, String key, String detail) {
    super(format(file, line, key, detail));
    this.file = file;
    this.line = line;
    this.key = key;
  }

  public Path file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String key() {
    return key;
  }

  private static String format(Path file, int line, String key, String detail) {
    StringBuilder b = new StringBuilder(String.valueOf(file));
    if (line > 0) b.append(':').append(line);
    b.append(": ");
    if (key != null) b.append(key).append(' ');
    return b.append(detail).toString();
  }
}
