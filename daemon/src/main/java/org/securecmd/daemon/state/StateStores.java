package org.securecmd.daemon.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ThreadFactory;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.StateSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the store {@code [state] backend} names; the only place that knows there is more than one. */
public final class StateStores {
  private static final Logger log = LoggerFactory.getLogger(StateStores.class);
  /** The file backend's deny list in the state directory (also what a switch to PostgreSQL imports). */
  public static final String FILE_BACKEND_LIST = "revoked";
  /** The file backend's issuance log in the state directory. */
  public static final String ISSUED_FILE = "issued";

  private StateStores() {}

  /**
   * Creates the state directory when missing and opens the configured store.
   *
   * @param followerThread makes PostgreSQL's following thread (unused by the file backend)
   * @throws ConfigException when {@code password_file} is unusable
   * @throws IOException when the store cannot start: a corrupt file, or (PostgreSQL) an unreachable database
   *     without a last-known copy, or a schema newer than this daemon
   */
  public static StateStore open(Config config, Clock clock, ThreadFactory followerThread)
      throws ConfigException, IOException {
    StateSettings s = config.state();
    Path dir = s.directory();
    Files.createDirectories(dir);
    if (s.backend() == StateSettings.Backend.FILE) return new FileStateStore(dir.resolve(FILE_BACKEND_LIST), clock);
    char[] password = PasswordFile.read(config.origins(), s.passwordFile().orElse(null));
    DatabaseUrl url = DatabaseUrl.parse(s.url().orElseThrow());
    url.warning().ifPresent(w -> log.warn("{}: {}", config.file(), w));
    return PostgresStateStore.open(database(s, password), dir, clock, followerThread);
  }

  /**
   * The issuance log of the configured backend: the state directory's {@code issued} file, or the shared
   * database's table (connected on first use, so this never fails for an unreachable database; that first
   * use imports this host's {@code issued} file once, when it switched from the file backend).
   *
   * @throws ConfigException when {@code password_file} is unusable
   */
  public static IssuanceLog issuanceLog(Config config) throws ConfigException, IOException {
    StateSettings s = config.state();
    Files.createDirectories(s.directory());
    if (s.backend() == StateSettings.Backend.FILE) return new IssuanceFile(s.directory().resolve(ISSUED_FILE));
    char[] password = PasswordFile.read(config.origins(), s.passwordFile().orElse(null));
    return new IssuanceTable(Database.forRequests(s.url().orElseThrow(), s.user().orElse(null), password),
        s.directory().resolve(ISSUED_FILE));
  }

  /**
   * The TPM enrollment registry of the configured backend: files in the state directory, or the shared
   * database's tables (connected on first use, so this never fails for an unreachable database).
   *
   * @throws ConfigException when {@code password_file} is unusable
   */
  public static EnrollmentRegistry enrollmentRegistry(Config config) throws ConfigException, IOException {
    StateSettings s = config.state();
    Files.createDirectories(s.directory());
    if (s.backend() == StateSettings.Backend.FILE) return new RegistryFile(s.directory());
    return new RegistryTable(database(s, PasswordFile.read(config.origins(), s.passwordFile().orElse(null))));
  }

  /** The same checks as {@link #open} that need no database: for {@code --check-config}. */
  public static void check(Config config) throws ConfigException {
    StateSettings s = config.state();
    if (s.backend() == StateSettings.Backend.POSTGRESQL) {
      PasswordFile.read(config.origins(), s.passwordFile().orElse(null));
      DatabaseUrl.parse(s.url().orElseThrow()).warning().ifPresent(w -> log.warn("{}: {}", config.file(), w));
    }
  }

  private static Database database(StateSettings s, char[] password) {
    return new Database(s.url().orElseThrow(), s.user().orElse(null), password);
  }
}
