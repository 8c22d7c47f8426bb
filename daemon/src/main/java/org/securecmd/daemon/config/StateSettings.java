package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code [state]}: where the daemon keeps what must survive restarts and be the same on every host (the
 * deny list). {@code backend = "file"} keeps it in {@code directory}; {@code "postgresql"} keeps it in the
 * database at {@code url}, and {@code directory} holds the last-known copy and the pending journal.
 *
 * @param url a {@code jdbc:postgresql:} URL: present exactly with the PostgreSQL backend
 * @param user the database user; empty when the URL or the driver's defaults decide
 * @param passwordFile the file whose first line is the password; empty when none is needed
 */
public record StateSettings(Path directory, Backend backend, Optional<String> url, Optional<String> user,
                            Optional<Path> passwordFile) {
  /** Where the state lives. */
  public enum Backend { FILE, POSTGRESQL }

  private static final List<String> DATABASE_KEYS = List.of("url", "user", "password_file");

  public StateSettings {
    if (url.isPresent() != (backend == Backend.POSTGRESQL)) {
      throw new IllegalArgumentException("a url goes with the postgresql backend, and only with it: " + backend);
    }
  }

  /** The file backend in {@code directory}. */
  public StateSettings(Path directory) {
    this(directory, Backend.FILE, Optional.empty(), Optional.empty(), Optional.empty());
  }

  static StateSettings read(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("directory", "backend", "url", "user", "password_file"));
    Path dir = r.requiredPath("directory", "/var/lib/securecmd", "a state directory is required");
    Backend backend = r.choice("backend", "file", Map.entry("file", Backend.FILE),
        Map.entry("postgresql", Backend.POSTGRESQL));
    Optional<String> url = r.optionalString("url");
    Optional<String> user = r.optionalString("user");
    Optional<Path> passwordFile = r.optionalPath("password_file", "");
    if (backend == Backend.FILE) {
      for (String key : DATABASE_KEYS) {
        if (r.has(key)) throw r.error(key, "...", "is only used with backend = \"postgresql\"");
      }
      return new StateSettings(dir);
    }
    if (url.isEmpty()) throw r.missing("url", "is required with backend = \"postgresql\" (jdbc:postgresql://HOST:PORT/DB)");
    checkUrl(r, url.get());
    if (user.isPresent() && (user.get().isEmpty() || user.get().chars().anyMatch(Character::isISOControl))) {
      throw r.error("user", TableReader.quoted(user.get()), "is empty or contains control characters");
    }
    return new StateSettings(dir, backend, url, user, passwordFile);
  }

  private static void checkUrl(TableReader r, String url) throws ConfigException {
    if (url.chars().anyMatch(Character::isISOControl)) throw r.error("url", "(hidden)", "contains control characters");
    // never shown: the value is a secret
    Optional<String> secret = StateUrl.secretProblem(url);
    if (secret.isPresent()) throw r.error("url", "(hidden)", secret.get());
    if (!url.startsWith("jdbc:postgresql:")) {
      throw r.error("url", TableReader.quoted(StateUrl.withoutQuery(url)), "expected a JDBC URL: jdbc:postgresql://HOST:PORT/DB");
    }
  }
}
