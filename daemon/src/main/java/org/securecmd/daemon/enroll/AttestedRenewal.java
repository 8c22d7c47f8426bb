package org.securecmd.daemon.enroll;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.securecmd.ca.Issuer;
import org.securecmd.ca.SigningRequest;
import org.securecmd.daemon.auth.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code RENEW} of a certificate issued for a TPM-attested key keeps it attested (the successor copies the
 * extension, see {@link Issuer#successor}): with the same key as before, or with a new key only as
 * {@code RENEW <CSR> <TPM2B_PUBLIC> <TPMS_ATTEST> <TPMT_SIGNATURE>}, a TPM2_Certify of the new key by the
 * enrolled AK over a {@code NONCE} of the same connection. A rekey without it is {@code ERR BAD_ATTESTATION}.
 * Any other certificate renews as {@link Renewals} says.
 */
public final class AttestedRenewal {
  private static final Logger audit = LoggerFactory.getLogger("securecmd.audit");
  private final Renewals renewals;
  private final Optional<Enrollments> enrollments;

  /** @param enrollments empty without {@code [attestation]}: an attested certificate may then renew its key only */
  public AttestedRenewal(Renewals renewals, Optional<Enrollments> enrollments) {
    this.renewals = renewals;
    this.enrollments = enrollments;
  }

  /**
   * @param fields the request's base64 fields: the CSR, then for an attested rekey the key's TPM2B_PUBLIC, the
   *     TPMS_ATTEST and the TPMT_SIGNATURE
   * @param takeNonce takes this connection's unexpired nonce (once), or gives empty
   */
  public RenewalResult renew(Identity identity, List<X509Certificate> chain, List<String> fields,
                             Supplier<Optional<byte[]>> takeNonce) {
    boolean attested = !chain.isEmpty() && Issuer.isTpmAttested(chain.get(0));
    if (!attested) {
      if (fields.size() != 1) {
        return RenewalResult.refused(RenewalRefusal.BAD_CSR, "only a TPM-attested certificate renews with certify "
            + "fields; send RENEW <CSR>");
      }
      return renewals.renew(identity, chain, fields.get(0));
    }
    X509Certificate leaf = chain.get(0);
    byte[] csr;
    SigningRequest request;
    try {
      csr = Base64.getDecoder().decode(fields.get(0));
      request = SigningRequest.parse(csr);
    } catch (IllegalArgumentException | SigningRequest.Refused e) {
      return renewals.renew(identity, chain, fields.get(0)); // refused there, with its usual code and text
    }
    if (!Arrays.equals(request.publicKey().getEncoded(), leaf.getPublicKey().getEncoded())) {
      Optional<String> refusal = rekeyRefusal(leaf, csr, fields, takeNonce);
      if (refusal.isPresent()) {
        audit.info("renew-refused client={} serial={} reason=bad_attestation detail=\"{}\"", identity.displayName(),
            identity.serial(), refusal.get());
        return RenewalResult.refused(RenewalRefusal.BAD_ATTESTATION, refusal.get());
      }
    }
    RenewalResult r = renewals.renew(identity, chain, fields.get(0));
    if (r.isIssued() && enrollments.isPresent()) enrollments.get().renewed(leaf, serialOfLeaf(r.chain()));
    return r;
  }

  private Optional<String> rekeyRefusal(X509Certificate leaf, byte[] csr, List<String> fields,
                                        Supplier<Optional<byte[]>> takeNonce) {
    if (fields.size() != 4) {
      return Optional.of("a new key for a TPM-attested certificate needs RENEW <CSR> <TPM2B_PUBLIC> <TPMS_ATTEST> "
          + "<TPMT_SIGNATURE>: a certify of the key by the enrolled AK over a NONCE of this connection");
    }
    if (enrollments.isEmpty()) {
      return Optional.of("a new key for a TPM-attested certificate needs [attestation], which is not configured");
    }
    Optional<byte[]> nonce = takeNonce.get();
    if (nonce.isEmpty()) {
      return Optional.of("no unused NONCE on this connection (each is used once, within step_timeout)");
    }
    byte[][] f = new byte[3][];
    try {
      for (int i = 0; i < 3; i++) f[i] = Base64.getDecoder().decode(fields.get(i + 1));
    } catch (IllegalArgumentException e) {
      return Optional.of("the certify fields are not base64");
    }
    try {
      enrollments.get().checkRekey(leaf, nonce.get(), csr, f[0], f[1], f[2]);
      return Optional.empty();
    } catch (EnrollmentRefused e) {
      return Optional.of(e.text());
    }
  }

  private static String serialOfLeaf(String chain) {
    int sp = chain.indexOf(' ');
    byte[] der = Base64.getDecoder().decode(sp < 0 ? chain : chain.substring(0, sp));
    try {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      return c.getSerialNumber().toString(16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the issued certificate does not parse", e);
    }
  }
}
