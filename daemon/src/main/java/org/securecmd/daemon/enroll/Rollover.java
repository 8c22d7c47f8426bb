package org.securecmd.daemon.enroll;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.IssuanceLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What renewal needs to know about connections, for the whole life of the daemon (every generation):
 * <ul>
 *   <li>After a rekey the replaced serial is revoked once the device connects with its new certificate, not
 *       when it is issued: a device that crashed before installing it still has a working old pair. The
 *       connecting serial is looked up in the issuance log (the first time this process sees it), so a rekey
 *       made on another host of the fleet completes here as well. That lookup also records the certificate's
 *       first use in the log (a revocation of its predecessor then spares it, see {@code state.Successors}).
 *   <li>Which connected devices expire within {@code renew_before} (the metric and {@code status}).
 * </ul>
 */
public final class Rollover {
  private static final Logger log = LoggerFactory.getLogger(Rollover.class);
  /** Bounds the memory of serials already looked up; forgetting them only costs a repeated lookup. */
  private static final int REMEMBERED = 100_000;
  private final Set<String> lookedUp = ConcurrentHashMap.newKeySet();
  private final Map<Long, Instant> connectedNotAfter = new ConcurrentHashMap<>();
  private final IssuanceLog issued;
  private final Predicate<String> denied;
  private final Consumer<String> revokeSerial;
  private final Executor lookups;
  /**
   * After a failed lookup, the queued ones are skipped for this long: with a database that does not answer,
   * each lookup would wait for its timeouts while a reconnecting fleet queues thousands behind it.
   */
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);
  private final LongSupplier nanos;
  private volatile boolean failing;
  private volatile long failedAt;

  /**
   * @param denied whether a serial is on the deny list already (its rekey is complete)
   * @param revokeSerial puts a serial on the deny list and closes its connections
   * @param lookups where the issuance log is read: off the connection's thread when the log is a database
   */
  public Rollover(IssuanceLog issued, Predicate<String> denied, Consumer<String> revokeSerial, Executor lookups) {
    this(issued, denied, revokeSerial, lookups, System::nanoTime);
  }

  /** @param nanos the monotonic clock of {@link #RETRY_AFTER_FAILURE} (tests move it) */
  Rollover(IssuanceLog issued, Predicate<String> denied, Consumer<String> revokeSerial, Executor lookups,
           LongSupplier nanos) {
    this.nanos = nanos;
    this.issued = issued;
    this.denied = denied;
    this.revokeSerial = revokeSerial;
    this.lookups = lookups;
  }

  /** A connection passed policy with a certificate of {@code serial} valid until {@code notAfter}. */
  public void connected(long connection, String serial, Instant notAfter) {
    if (notAfter != null) connectedNotAfter.put(connection, notAfter);
    if (serial.isEmpty() || lookedUp.contains(serial)) return;
    if (lookedUp.size() >= REMEMBERED) lookedUp.clear();
    if (!lookedUp.add(serial)) return; // another connection of this serial is looking it up
    lookups.execute(() -> complete(serial));
  }

  private void complete(String serial) {
    if (nanos.getAsLong() - failedAt < RETRY_AFTER_FAILURE.toNanos() && failing) {
      lookedUp.remove(serial); // the log is failing: skip now, the next connection of this serial tries again
      return;
    }
    Optional<Issuance> found;
    try {
      found = issued.bySerial(serial);
    } catch (IOException e) {
      lookedUp.remove(serial); // the next connection of this serial tries again
      failedAt = nanos.getAsLong();
      if (!failing) {
        log.warn("cannot look up serials in the issuance records (rekeys complete on a later connection): {}",
            e.getMessage());
      }
      failing = true;
      return;
    }
    if (failing) log.info("the issuance records are readable again; rekeys complete as devices connect");
    failing = false;
    if (found.isEmpty()) return;
    if (!found.get().used()) {
      try {
        issued.markUsed(serial, Instant.now());
      } catch (IOException e) {
        // not recorded as used: the old serial stays as it is too, and the next connection tries again
        lookedUp.remove(serial);
        log.warn("cannot record the first use of serial {} (tried again on its next connection): {}", serial,
            e.getMessage());
        return;
      }
    }
    if (!found.get().rekey()) return;
    String old = found.get().oldSerial();
    if (denied.test(old)) return;
    log.info("serial {} is in use after a rekey; revoking the serial {} it replaced", serial, old);
    revokeSerial.accept(old);
  }

  /**
   * Puts {@code serial} on the deny list now, unless it is there already: an earlier successor of a
   * certificate that just got a newer one (at most one live successor each).
   */
  public void supersede(String serial) {
    if (denied.test(serial)) return;
    log.info("serial {} is superseded by a newer successor of the same certificate; revoking it", serial);
    revokeSerial.accept(serial);
  }

  public void closed(long connection) {
    connectedNotAfter.remove(connection);
  }

  /** Connected devices whose certificate expires within {@code window} of {@code now}. */
  public int dueWithin(Duration window, Instant now) {
    Instant limit = now.plus(window);
    return (int) connectedNotAfter.values().stream().filter(t -> t.isBefore(limit)).count();
  }
}
