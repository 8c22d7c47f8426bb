package org.securecmd.daemon.state;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Every certificate issued by {@code RENEW}, as the fleet's hosts share it: the state directory by default
 * ({@link IssuanceFile}), PostgreSQL when that backend is configured ({@link IssuanceTable}, one table every
 * host writes, so its rules hold across hosts). Implementations are thread-safe; a record is durable when
 * {@link #append} returns. Calls may block on the database (bounded by its timeouts).
 */
public interface IssuanceLog {
  /**
   * Records {@code issuance} unless its identity already renewed with the same key ({@code keySha256}) after
   * {@code since}; the check and the write are one step, on every host of the fleet.
   *
   * @return empty when recorded, else the earlier renewal that refused it (nothing was recorded)
   * @throws IOException when it could not be made durable (the certificate is then not handed out)
   */
  Optional<Issuance> appendUnlessRenewedSince(Issuance issuance, Instant since) throws IOException;

  /** Records one issuance without the same-key check (a rekey: a new key is always accepted). */
  default void append(Issuance issuance) throws IOException {
    appendUnlessRenewedSince(issuance, Instant.MAX);
  }

  /** Every issuance, oldest first. */
  List<Issuance> all() throws IOException;

  /** The issuance of the certificate with {@code serial} (lower-case hex), by whichever host issued it. */
  default Optional<Issuance> bySerial(String serial) throws IOException {
    return all().stream().filter(i -> i.serial().equals(serial)).findFirst();
  }

  /** The issuances for {@code identity}, oldest first. */
  default List<Issuance> forIdentity(String identity) throws IOException {
    return all().stream().filter(i -> i.identity().equals(identity)).toList();
  }
}
