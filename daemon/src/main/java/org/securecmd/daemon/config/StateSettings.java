package org.securecmd.daemon.config;

import java.nio.file.Path;

/**
 * {@code [state]}: where the daemon keeps what must survive restarts and be the same on every host (the
 * deny list). {@code backend = "file"} keeps it in {@code directory}; {@code "postgresql"} keeps it in the
 * database at {@code url}, and {@code directory} holds the last-known copy and the pending journal.
 *
 * @param url a {@code jdbc:postgresql:} URL, null for the file backend
 * @param user the database user, null when the URL or the driver's defaults decide
 * @param passwordFile the file whose first line is the password, null when none is needed
 */
public record StateSettings(Path directory, Backend backend, String url, String user, Path passwordFile) {
  /** Where the state lives. */
  public enum Backend { FILE, POSTGRESQL }

  /** The file backend in {@code directory}. */
  public StateSettings(Path directory) {
    this(directory, Backend.FILE, null, null, null);
  }
}
