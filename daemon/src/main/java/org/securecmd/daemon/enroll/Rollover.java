package org.securecmd.daemon.enroll;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.IssuanceLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What renewal needs to know about connections, for the whole life of the daemon (every generation):
 * <ul>
 *   <li>After a rekey the replaced serial is revoked once the device connects with its new certificate, not
 *       when it is issued: a device that crashed before installing it still has a working old pair.
 *   <li>Which connected devices expire within {@code renew_before} (the metric and {@code status}).
 * </ul>
 */
public final class Rollover {
  private static final Logger log = LoggerFactory.getLogger(Rollover.class);
  /** New serial → the serial it replaces, for rekeys whose new certificate has not been seen yet. */
  private final Map<String, String> pending = new ConcurrentHashMap<>();
  private final Map<Long, Instant> connectedNotAfter = new ConcurrentHashMap<>();
  private final Consumer<String> revokeSerial;

  /**
   * @param denied whether a serial is on the deny list already (its rekey is complete)
   * @param revokeSerial puts a serial on the deny list and closes its connections
   */
  public Rollover(IssuanceLog issued, Predicate<String> denied, Consumer<String> revokeSerial) throws IOException {
    this.revokeSerial = revokeSerial;
    for (Issuance i : issued.all()) {
      if (i.rekey() && !denied.test(i.oldSerial()) && !denied.test(i.serial())) pending.put(i.serial(), i.oldSerial());
    }
  }

  void rekeyed(Issuance i) {
    pending.put(i.serial(), i.oldSerial());
  }

  /** A connection passed policy with a certificate of {@code serial} valid until {@code notAfter}. */
  public void connected(long connection, String serial, Instant notAfter) {
    if (notAfter != null) connectedNotAfter.put(connection, notAfter);
    String old = serial.isEmpty() ? null : pending.remove(serial);
    if (old != null) {
      log.info("serial {} is in use after a rekey; revoking the serial {} it replaced", serial, old);
      revokeSerial.accept(old);
    }
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
