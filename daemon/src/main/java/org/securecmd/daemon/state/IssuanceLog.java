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
 *
 * <p>The records only grow by what {@link Rules} let through: at most {@code max_renewals} per identity per
 * {@code renew_before}/2, so a device that renews in a loop is refused, not recorded.
 */
public interface IssuanceLog {
  /**
   * What a new issuance is checked against, in one step with the write (on every host of the fleet).
   *
   * @param sameKeySince refuse when the identity renewed with the same key after this
   * @param countSince with {@code maxCount}: refuse when the identity already has {@code maxCount} issuances
   *     that {@linkplain Issuance#countsAsRenewal count} after this
   */
  record Rules(Instant sameKeySince, Instant countSince, int maxCount) {
    public static final Rules NONE = new Rules(Instant.MAX, Instant.MAX, Integer.MAX_VALUE);

    /** These rules for {@code next} over {@code earlier} (records of any identities): why it is refused, if it is. */
    public Optional<Conflict> check(List<Issuance> earlier, Issuance next) {
      Issuance oldestCounted = null;
      int counted = 0;
      for (Issuance e : earlier) {
        if (!e.identity().equals(next.identity())) continue;
        if (e.countsAsRenewal() && e.keySha256().equals(next.keySha256()) && e.issuedAt().isAfter(sameKeySince)) {
          return Optional.of(new Conflict(e, true));
        }
        if (e.countsAsRenewal() && e.issuedAt().isAfter(countSince)) {
          counted++;
          if (oldestCounted == null || e.issuedAt().isBefore(oldestCounted.issuedAt())) oldestCounted = e;
        }
      }
      return next.countsAsRenewal() && counted >= maxCount ? Optional.of(new Conflict(oldestCounted, false))
          : Optional.empty();
    }
  }

  /**
   * Why an issuance was not recorded.
   *
   * @param earlier the same-key renewal that refused it, or the oldest issuance of the full window
   * @param sameKey which rule: the same-key one, else the count
   */
  record Conflict(Issuance earlier, boolean sameKey) {}

  /**
   * Records {@code issuance} unless {@code rules} refuse it.
   *
   * @return empty when recorded, else why not (nothing was recorded)
   * @throws IOException when it could not be made durable (the certificate is then not handed out)
   */
  Optional<Conflict> append(Issuance issuance, Rules rules) throws IOException;

  /** As {@link #append(Issuance, Rules)} with the same-key rule only. */
  default Optional<Issuance> appendUnlessRenewedSince(Issuance issuance, Instant since) throws IOException {
    return append(issuance, new Rules(since, Instant.MAX, Integer.MAX_VALUE)).map(Conflict::earlier);
  }

  /** Records one issuance without any check. */
  default void append(Issuance issuance) throws IOException {
    append(issuance, Rules.NONE);
  }

  /** Records that the certificate {@code serial} was presented on a connection, unless it was before. */
  void markUsed(String serial, Instant at) throws IOException;

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

  /** The certificates issued to replace {@code serial} (lower-case hex), oldest first. */
  default List<Issuance> successorsOf(String serial) throws IOException {
    return all().stream().filter(i -> i.oldSerial().equals(serial)).toList();
  }
}
