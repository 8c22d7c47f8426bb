package org.securecmd.daemon.enroll;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.securecmd.ca.Issuer;
import org.securecmd.ca.SigningRequest;
import org.securecmd.daemon.auth.AccessPolicy;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.auth.LogText;
import org.securecmd.daemon.config.EnrollmentSettings;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.IssuanceLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The renewal policy of one generation. A device renews the certificate it is connected with:
 * <ol>
 *   <li>it has one, it is on {@code [enrollment] allow}, and it still passes the connection checks (CRL, deny
 *       list, allow list) and is within its validity;
 *   <li>it expires within {@code renew_before};
 *   <li>the CSR parses, its signature verifies (proof of possession) and its key is strong enough;
 *   <li>with the same key, at most one renewal per {@code renew_before}/2;
 *   <li>whatever the keys, at most {@code max_renewals} certificates per identity per {@code renew_before}/2.
 * </ol>
 * The new certificate copies the subject, SAN and EKU of the current one (the CSR's names are ignored) and
 * lives no longer than the current one did, nor longer than {@code validity}.
 * The CA signs only after every check passed, the issuance records' read included (with PostgreSQL each call
 * is bounded, so RENEW answers {@code ERR UNAVAILABLE} within seconds when the database does not answer).
 * Safe for concurrent use; the issuance log serialises the writes (across hosts with PostgreSQL). The
 * replaced serial of a rekey is revoked by {@link Rollover} when the new certificate connects. A certificate
 * has at most one live successor: issuing one revokes the earlier successors of the same certificate at once.
 */
public final class Renewals {
  private static final Logger log = LoggerFactory.getLogger(Renewals.class);
  private static final Logger audit = LoggerFactory.getLogger("securecmd.audit");

  private final EnrollmentSettings settings;
  private final EnrollmentCa ca;
  private final AllowList allow;
  private final AccessPolicy policy;
  private final IssuanceLog issued;
  private final Rollover rollover;
  private final RenewalEvents events;
  private final Clock clock;

  public Renewals(EnrollmentSettings settings, EnrollmentCa ca, AccessPolicy policy, IssuanceLog issued,
                  Rollover rollover, RenewalEvents events, Clock clock) {
    this.settings = settings;
    this.ca = ca;
    this.allow = AllowList.of(settings.allow());
    this.policy = policy;
    this.issued = issued;
    this.rollover = rollover;
    this.events = events;
    this.clock = clock;
  }

  public Duration renewBefore() {
    return settings.renewBefore();
  }

  /** Renews {@code chain}'s leaf (the peer's certificate) for the CSR in {@code base64Csr}. */
  public RenewalResult renew(Identity identity, List<X509Certificate> chain, String base64Csr) {
    RenewalResult r = decide(identity, chain, base64Csr);
    if (!r.isIssued()) {
      events.refused(r.refusal());
      audit.info("renew-refused client={} serial={} reason={} detail=\"{}\"", LogText.token(identity.displayName()),
          identity.serial().isEmpty() ? "-" : identity.serial(), r.refusal().label(), LogText.quoted(r.message()));
    }
    return r;
  }

  private RenewalResult decide(Identity identity, List<X509Certificate> chain, String base64Csr) {
    if (identity.isAnonymous() || chain.isEmpty()) {
      return RenewalResult.refused(RenewalRefusal.FORBIDDEN, "RENEW needs a client certificate");
    }
    if (!allow.allows(identity)) return RenewalResult.refused(RenewalRefusal.FORBIDDEN, "not allowed to renew");
    Optional<String> refusal = policy.refusal(identity, chain);
    // every RENEW validates the chain against this generation's [clients] ca: a CA the operator removed is
    // not laundered into the enrollment CA
    if (refusal.isEmpty()) refusal = policy.untrusted(chain);
    if (refusal.isPresent()) return RenewalResult.refused(RenewalRefusal.FORBIDDEN, refusal.get());
    X509Certificate current = chain.get(0);
    Instant now = clock.instant();
    if (current.getNotAfter().toInstant().isBefore(now)) {
      return RenewalResult.refused(RenewalRefusal.FORBIDDEN, "the certificate expired on " + current.getNotAfter().toInstant());
    }
    Instant dueFrom = current.getNotAfter().toInstant().minus(settings.renewBefore());
    if (now.isBefore(dueFrom)) {
      return RenewalResult.refused(RenewalRefusal.NOT_DUE, "not due: renewal opens at " + dueFrom
          + " (renew_before " + settings.renewBefore().toDays() + "d before expiry)");
    }
    SigningRequest csr;
    try {
      csr = SigningRequest.parse(Base64.getDecoder().decode(base64Csr));
    } catch (IllegalArgumentException e) {
      return RenewalResult.refused(RenewalRefusal.BAD_CSR, "the argument is not base64");
    } catch (SigningRequest.Refused e) {
      return RenewalResult.refused(e.problem() == SigningRequest.Problem.WEAK_KEY ? RenewalRefusal.WEAK_KEY
          : RenewalRefusal.BAD_CSR, e.getMessage());
    }
    boolean rekey = !Arrays.equals(csr.publicKey().getEncoded(), current.getPublicKey().getEncoded());
    String keyHash = Sha256.hex(csr.publicKey().getEncoded());
    try {
      // Every check before the signature (the CA key may be in a token), the records' included: this bounded
      // read is also the store's health check, so a database that does not answer refuses here, within its
      // bound, before anything is signed (a rekey too).
      Issuance draft = new Issuance("0", identity.displayName(), "-", now, "0", now, keyHash, rekey);
      Optional<IssuanceLog.Conflict> early = rules(rekey, now).check(issued.forIdentity(identity.displayName()), draft);
      if (early.isPresent()) return refused(early.get());
      return issue(identity, current, csr, rekey, keyHash, now);
    } catch (IOException | GeneralSecurityException e) {
      log.error("RENEW for {} failed: {}", LogText.token(identity.displayName()), e.toString());
      return RenewalResult.refused(RenewalRefusal.FAILED, "renewal is not available now");
    }
  }

  private RenewalResult issue(Identity identity, X509Certificate current, SigningRequest csr, boolean rekey,
                              String keyHash, Instant now) throws IOException, GeneralSecurityException {
    BigInteger serial = Issuer.newSerial();
    X509Certificate next = Issuer.successor(ca.certificate(), ca.key(), serial, current, csr.publicKey(), now,
        lifetime(current));
    Issuance record = new Issuance(serial.toString(16), identity.displayName(), current.getSubjectX500Principal().getName(),
        next.getNotAfter().toInstant(), identity.serial(), now, keyHash, rekey);
    // Durable before the device sees the certificate. The log checks the same-key and max_renewals rules and
    // records in one step (on every host of the fleet); a refused certificate is never handed out.
    Optional<IssuanceLog.Conflict> conflict = issued.append(record, rules(rekey, now));
    if (conflict.isPresent()) return refused(conflict.get()); // lost a race with another renewal (maybe on another host)
    // At most one live successor per certificate: the earlier ones of this serial go on the deny list now
    // (after a race with another host both may be revoked: never two live). Not handed out when this fails.
    for (Issuance earlier : issued.successorsOf(record.oldSerial())) {
      if (!earlier.serial().equals(record.serial())) rollover.supersede(earlier.serial());
    }
    events.issued(record);
    audit.info("renewed client={} serial={} old_serial={} not_after={} rekey={}", LogText.token(identity.displayName()),
        record.serial(), record.oldSerial(), record.notAfter(), rekey);
    return RenewalResult.issued(ca.replyChain(next));
  }

  /**
   * A renewal never lengthens what was granted: the new certificate lives at most as long as the current one
   * did (notAfter − notBefore) and at most {@code validity}.
   */
  private Duration lifetime(X509Certificate current) {
    Duration own = Duration.between(current.getNotBefore().toInstant(), current.getNotAfter().toInstant());
    return own.compareTo(settings.validity()) < 0 ? own : settings.validity();
  }

  private Duration spacing() {
    return settings.renewBefore().dividedBy(2);
  }

  /** The same-key rule (none for a rekey) and {@code max_renewals}, both per {@code renew_before}/2. */
  private IssuanceLog.Rules rules(boolean rekey, Instant now) {
    Instant since = now.minus(spacing());
    return new IssuanceLog.Rules(rekey ? Instant.MAX : since, since, settings.maxRenewals());
  }

  private RenewalResult refused(IssuanceLog.Conflict c) {
    if (c.sameKey()) return tooSoon(c.earlier());
    return RenewalResult.refused(RenewalRefusal.NOT_DUE, "renewal limit reached: " + settings.maxRenewals()
        + " certificates for this identity within renew_before/2 ([enrollment] max_renewals); the next renewal"
        + " opens at " + c.earlier().issuedAt().plus(spacing()));
  }

  private RenewalResult tooSoon(Issuance earlier) {
    return RenewalResult.refused(RenewalRefusal.NOT_DUE, "already renewed with this key at " + earlier.issuedAt()
        + "; the next renewal with the same key opens at " + earlier.issuedAt().plus(spacing())
        + " (a new key is accepted now, within max_renewals)");
  }
}
