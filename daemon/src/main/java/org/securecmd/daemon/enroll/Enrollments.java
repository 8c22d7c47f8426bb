package org.securecmd.daemon.enroll;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.securecmd.ca.Issuer;
import org.securecmd.daemon.attest.AttestationException;
import org.securecmd.daemon.attest.AttestationKey;
import org.securecmd.daemon.attest.AttestedKey;
import org.securecmd.daemon.attest.CertifyVerifier;
import org.securecmd.daemon.attest.EkAuthority;
import org.securecmd.daemon.attest.EnrollmentChallenge;
import org.securecmd.daemon.attest.VerifiedEk;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.config.AttestationSettings;
import org.securecmd.daemon.config.EnrollmentSettings;
import org.securecmd.daemon.state.Enrollment;
import org.securecmd.daemon.state.EnrollmentRegistry;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.IssuanceLog;
import org.securecmd.daemon.state.PendingEnrollment;
import org.securecmd.daemon.state.Registration;
import org.securecmd.protocol.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TPM-attested enrollment of one generation ({@code [attestation]} with {@code [enrollment]}): the policy
 * around {@code attest}'s verdicts, and the issuing.
 * <ol>
 *   <li>{@link #challenge} ({@code ENROLL}): the EK certificate chains to {@code ek_ca}, the EK public area is
 *       its key, the AK's attributes hold ({@link EnrollmentChallenge#issue}); in {@code registered} mode the EK
 *       is registered; a registered name is not revoked and matches {@code [enrollment] allow}.
 *   <li>{@link #prove} ({@code ENROLL-PROOF}): the activated secret and the certify
 *       ({@link EnrollmentChallenge#prove});
 *       then the registration again (it may have changed meanwhile): none in {@code approve} mode makes the
 *       request pending ({@code ERR PENDING <id>}); else the certificate is issued with subject
 *       {@code CN=<name>} only and the {@link Issuer#TPM_ATTESTED_KEY_OID} extension, recorded in the issuance
 *       log and, with EK and AK, in the registry; the EK's earlier certificates go on the deny list.
 *   <li>{@link #checkRekey} and {@link #renewed}: a {@code RENEW} of an attested certificate with a new key
 *       needs a certify of that key by the enrolled AK over this connection's nonce.
 * </ol>
 * Enrollments are recorded with old serial {@link Issuance#ENROLLED} in the issuance log, and do not count as
 * renewals. Safe for concurrent use. Over 300 lines: the two steps and the rekey share the registry
 * lookups, the name checks, the refusal audit and the labels, which read best side by side.
 */
public final class Enrollments {
  private static final Logger log = LoggerFactory.getLogger(Enrollments.class);
  private static final Logger audit = LoggerFactory.getLogger("securecmd.audit");

  private final AttestationSettings attestation;
  private final EnrollmentSettings enrollment;
  private final EnrollmentCa ca;
  private final EkAuthority ekCas;
  private final AllowList allow;
  private final Supplier<DenyList> denyList;
  private final IssuanceLog issued;
  private final EnrollmentRegistry registry;
  private final EnrollmentEvents events;
  private final Consumer<String> revokeSerial;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param denyList the operator's deny list: a revoked name cannot enroll
   * @param revokeSerial puts a serial on the deny list and closes its connections (an EK's earlier certificates)
   */
  public Enrollments(AttestationSettings attestation, EnrollmentSettings enrollment, EnrollmentCa ca,
                     Supplier<DenyList> denyList, IssuanceLog issued, EnrollmentRegistry registry,
                     EnrollmentEvents events, Consumer<String> revokeSerial, Clock clock) {
    this.attestation = attestation;
    this.enrollment = enrollment;
    this.ca = ca;
    this.ekCas = EkAuthority.of(attestation.ekCaCertificates());
    this.allow = AllowList.of(enrollment.allow());
    this.denyList = denyList;
    this.issued = issued;
    this.registry = registry;
    this.events = events;
    this.revokeSerial = revokeSerial;
    this.clock = clock;
  }

  /** The longest a device may take between two enrollment requests, and the life of a challenge or nonce. */
  public Duration stepTimeout() {
    return attestation.stepTimeout();
  }

  /** Now, by this generation's clock (when a challenge or nonce was given, for its step_timeout). */
  public Instant now() {
    return clock.instant();
  }

  /** Whether {@code certificate} was issued for a TPM-attested key ({@link Issuer#TPM_ATTESTED_KEY_OID}). */
  public static boolean isTpmAttested(X509Certificate certificate) {
    return Issuer.isTpmAttested(certificate);
  }

  /** A fresh single-use 32-byte nonce. */
  public byte[] nonce() {
    byte[] n = new byte[32];
    random.nextBytes(n);
    return n;
  }

  /** {@code ENROLL}: the checks of the class comment, then the challenge to answer with. */
  public EnrollmentChallenge challenge(String peer, byte[] ekCertificate, byte[] ekPublic, byte[] akPublic)
      throws EnrollmentRefused {
    try {
      VerifiedEk ek;
      try {
        ek = ekCas.verify(ekCertificate, clock.instant());
      } catch (AttestationException e) {
        throw fromAttestation(e);
      }
      // the registration before any MakeCredential: an unregistered EK costs no RSA or ECDH operation
      Optional<Registration> r = lookUp(ek.keySha256());
      if (r.isEmpty() && attestation.enroll() == AttestationSettings.EnrollMode.REGISTERED) {
        throw notRegistered(ek.keySha256());
      }
      if (r.isPresent()) checkName(r.get().name());
      EnrollmentChallenge c;
      try {
        c = EnrollmentChallenge.issue(ek, ekPublic, akPublic, random);
      } catch (AttestationException e) {
        throw fromAttestation(e);
      }
      audit.info("enroll-challenge address={} ek={} name={}", peer, ek.keySha256(),
          r.map(Registration::name).orElse("-"));
      return c;
    } catch (EnrollmentRefused e) {
      refused(peer, "ENROLL", "-", e);
      throw e;
    }
  }

  /**
   * {@code ENROLL-PROOF} for {@code c}, answered at {@code issuedAt}: the issued chain (leaf first, base64 DER
   * separated by spaces, as {@code RENEW} answers), else the refusal ({@code ERR PENDING <id>} included).
   */
  public String prove(String peer, EnrollmentChallenge c, Instant issuedAt, byte[] secret, byte[] csr,
                      byte[] keyPublic, byte[] attest, byte[] signature) throws EnrollmentRefused {
    String ek = c.ek().keySha256();
    try {
      Instant now = clock.instant();
      if (now.isAfter(issuedAt.plus(stepTimeout()))) {
        throw new EnrollmentRefused(ErrorCode.BAD_ATTESTATION, "expired",
            "the enrollment challenge expired (step_timeout "
            + stepTimeout().toSeconds() + "s); send ENROLL again");
      }
      AttestedKey key;
      try {
        key = c.prove(secret, csr, keyPublic, attest, signature);
      } catch (AttestationException e) {
        throw fromAttestation(e);
      }
      Optional<Registration> r = lookUp(ek);
      if (r.isEmpty()) {
        if (attestation.enroll() == AttestationSettings.EnrollMode.REGISTERED) throw notRegistered(ek);
        PendingEnrollment p = new PendingEnrollment(ek, peer, now, c.attestationKey().akPublic());
        try {
          registry.addPending(p);
        } catch (IOException e) {
          throw unavailable("cannot record the pending request", e);
        }
        events.pending();
        audit.info("enroll-pending address={} ek={} id={}", peer, ek, p.id());
        throw new EnrollmentRefused(ErrorCode.PENDING, "pending", p.id());
      }
      String name = r.get().name();
      checkName(name);
      return issue(peer, c, key, name, now);
    } catch (EnrollmentRefused e) {
      if (e.code() != ErrorCode.PENDING) refused(peer, "ENROLL-PROOF", ek, e);
      throw e;
    }
  }

  private String issue(String peer, EnrollmentChallenge c, AttestedKey key, String name, Instant now)
      throws EnrollmentRefused {
    String ek = c.ek().keySha256();
    try {
      List<Enrollment> earlier = registry.enrollmentsForEk(ek);
      BigInteger serialNumber = Issuer.newSerial();
      X509Certificate cert = Issuer.attestedLeaf(ca.certificate(), ca.key(), serialNumber, name, key.publicKey(), now,
          enrollment.validity());
      String serial = serialNumber.toString(16);
      // durable before the device sees the certificate, as for RENEW
      issued.append(new Issuance(serial, name, cert.getSubjectX500Principal().getName(), cert.getNotAfter().toInstant(),
          Issuance.ENROLLED, now, Sha256.hex(key.publicKey().getEncoded()), false));
      registry.recordEnrollment(new Enrollment(serial, name, ek, c.attestationKey().akPublic(), now));
      // a wiped device enrolling again: what its TPM was issued before must not live on beside the new one
      for (Enrollment e : earlier) revokeSerial.accept(e.serial());
      events.enrolled();
      audit.info("enrolled address={} client={} serial={} ek={} not_after={} replaced={}", peer, name, serial, ek,
          cert.getNotAfter().toInstant(), earlier.size());
      return ca.replyChain(cert);
    } catch (IOException | GeneralSecurityException e) {
      throw unavailable("cannot issue the certificate", e);
    }
  }

  /**
   * {@code ENROLL-PROOF} on a connection without a challenge (none sent, or already answered: a replay):
   * audited and counted like any refusal.
   */
  public EnrollmentRefused noChallenge(String peer) {
    EnrollmentRefused e = new EnrollmentRefused(ErrorCode.BAD_ATTESTATION, "replay",
        "no ENROLL challenge on this connection (each is answered once); send ENROLL first");
    refused(peer, "ENROLL-PROOF", "-", e);
    return e;
  }

  /**
   * An attested {@code RENEW} with a new key: {@code keyPublic}, {@code attest} and {@code signature} certify
   * the CSR's key with the AK enrolled for {@code current}'s serial, over {@code nonce} (this connection's).
   */
  public void checkRekey(X509Certificate current, byte[] nonce, byte[] csr, byte[] keyPublic, byte[] attest,
                         byte[] signature) throws EnrollmentRefused {
    Enrollment e = enrolled(current);
    try {
      CertifyVerifier.verify(AttestationKey.enrolled(e.akPublic()), nonce, csr, keyPublic, attest, signature);
    } catch (AttestationException x) {
      throw fromAttestation(x);
    }
  }

  /** A {@code RENEW} of attested {@code current} issued {@code successorSerial}: the same EK and AK stand for it. */
  public void renewed(X509Certificate current, String successorSerial) {
    try {
      Enrollment e = enrolled(current);
      registry.recordEnrollment(new Enrollment(successorSerial, e.identity(), e.ekSha256(), e.akPublic(),
          clock.instant()));
    } catch (EnrollmentRefused | IOException | RuntimeException x) {
      log.error("cannot record the AK for the renewed serial {}: {}", successorSerial, x.toString());
    }
  }

  private Enrollment enrolled(X509Certificate current) throws EnrollmentRefused {
    String serial = current.getSerialNumber().toString(16);
    try {
      return registry.enrollmentBySerial(serial).orElseThrow(() -> new EnrollmentRefused(ErrorCode.BAD_ATTESTATION,
          "bad_attestation", "no enrollment is recorded for serial " + serial + ", so no AK can certify a new key"));
    } catch (IOException x) {
      throw unavailable("cannot read the enrollment records", x);
    }
  }

  private Optional<Registration> lookUp(String ek) throws EnrollmentRefused {
    try {
      return registry.byEk(ek);
    } catch (IOException e) {
      throw unavailable("cannot read the registrations", e);
    }
  }

  private void checkName(String name) throws EnrollmentRefused {
    if (denyList.get().denies(List.of(name), "")) {
      throw new EnrollmentRefused(ErrorCode.FORBIDDEN, "revoked", "identity \"" + name + "\" is revoked");
    }
    if (!allow.allowsName(name)) {
      throw new EnrollmentRefused(ErrorCode.FORBIDDEN, "not_allowed", "\"" + name + "\" is not on [enrollment] allow");
    }
  }

  private static EnrollmentRefused notRegistered(String ek) {
    return new EnrollmentRefused(ErrorCode.FORBIDDEN, "not_registered", "EK not registered (ek-sha256 " + ek + ")");
  }

  private static EnrollmentRefused fromAttestation(AttestationException e) {
    return e.kind() == AttestationException.Kind.FORBIDDEN
        ? new EnrollmentRefused(ErrorCode.FORBIDDEN, e.check().label(), e.reason())
        : new EnrollmentRefused(ErrorCode.BAD_ATTESTATION, e.check().label(), e.reason());
  }

  private static EnrollmentRefused unavailable(String what, Exception e) {
    log.error("enrollment: {}: {}", what, e.toString());
    return new EnrollmentRefused(ErrorCode.UNAVAILABLE, "failed", "enrollment is not available now");
  }

  private void refused(String peer, String step, String ek, EnrollmentRefused e) {
    events.refused(e.label());
    audit.info("enroll-refused address={} step={} ek={} code={} reason={} detail=\"{}\"", peer, step, ek,
        e.code().name(), e.label(), e.text().replaceAll("[\\p{Cntrl}\\p{Cf}\"\\\\]", "?"));
  }
}
