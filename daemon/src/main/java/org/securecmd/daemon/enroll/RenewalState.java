package org.securecmd.daemon.enroll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.state.IssuanceLog;
import org.securecmd.daemon.state.StateStores;

/** What every generation's {@link Renewals} shares for the life of the daemon. */
public record RenewalState(IssuanceLog issued, Rollover rollover, RenewalEvents events) {
  /**
   * The issuance log of {@code config}'s {@code [state]} (its directory created when missing) and the
   * rollover that reads it; the arguments are {@link Rollover}'s.
   *
   * @throws ConfigException naming {@code [state] directory} when the issuance records cannot be read
   */
  public static RenewalState open(Config config, Predicate<String> denied, Consumer<String> revokeSerial,
                                  Executor lookups, RenewalEvents events) throws ConfigException {
    Path dir = config.state().directory();
    try {
      Files.createDirectories(dir);
      IssuanceLog issued = StateStores.issuanceLog(config);
      return new RenewalState(issued, new Rollover(issued, denied, revokeSerial, lookups), events);
    } catch (IOException e) {
      throw new ConfigException(config.file(), 0, "[state] directory", "cannot read the issuance records in " + dir
          + ": " + e.getMessage());
    }
  }
}
