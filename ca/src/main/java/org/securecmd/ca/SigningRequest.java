package org.securecmd.ca;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A PKCS#10 certificate signing request that passed the checks every issuer here makes: it parses, its
 * self-signature verifies with the key it carries (proof of possession), and that key is RSA of at least
 * 2048 bits or EC on P-256 or P-384.
 *
 * <pre>{@code
 * SigningRequest r = SigningRequest.parse(der);   // throws Refused(BAD_CSR | WEAK_KEY, why)
 * }</pre>
 *
 * @param commonName the subject CN, or null when the subject has none
 */
public record SigningRequest(PublicKey publicKey, String commonName) {
  /** Why a request was refused; callers map it to their own error codes. */
  public enum Problem {
    /** Not a CSR, or its signature does not verify. */
    BAD_CSR,
    /** The key is of an unsupported type or too weak. */
    WEAK_KEY
  }

  /** A request that failed a check; the message says which. */
  public static final class Refused extends Exception {
    private final Problem problem;

    public Refused(Problem problem, String message) {
      super(message);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  /** Reads a CSR in DER, or PEM ({@code CERTIFICATE REQUEST}), and checks it. */
  public static SigningRequest parse(byte[] bytes) throws Refused {
    JcaPKCS10CertificationRequest csr;
    try {
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      if (text.contains("-----BEGIN")) {
        Object o = new PEMParser(new StringReader(text)).readObject();
        if (!(o instanceof org.bouncycastle.pkcs.PKCS10CertificationRequest r)) {
          throw new Refused(Problem.BAD_CSR, "no CERTIFICATE REQUEST block");
        }
        csr = new JcaPKCS10CertificationRequest(r);
      } else {
        csr = new JcaPKCS10CertificationRequest(bytes);
      }
    } catch (IOException | RuntimeException e) {
      throw new Refused(Problem.BAD_CSR, "not a certificate signing request: " + e.getMessage());
    }
    PublicKey key;
    try {
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
        throw new Refused(Problem.BAD_CSR, "the CSR's signature does not verify");
      }
      key = csr.getPublicKey();
    } catch (OperatorCreationException | PKCSException | java.security.GeneralSecurityException | RuntimeException e) {
      throw new Refused(Problem.BAD_CSR, "the CSR's signature cannot be checked: " + e.getMessage());
    }
    checkStrength(key, csr.getSubjectPublicKeyInfo().getAlgorithm().getParameters());
    return new SigningRequest(key, commonName(csr));
  }

  private static void checkStrength(PublicKey key, Object params) throws Refused {
    if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < 2048) throw new Refused(Problem.WEAK_KEY, "weak key: RSA " + bits + " bits (at least 2048)");
      return;
    }
    if (key.getAlgorithm().equals("EC")) {
      if (X9ObjectIdentifiers.prime256v1.equals(params) || SECObjectIdentifiers.secp384r1.equals(params)) return;
      String curve = params instanceof ASN1ObjectIdentifier oid ? curveName(oid) : String.valueOf(params);
      throw new Refused(Problem.WEAK_KEY, "weak or unsupported key: EC curve " + curve + " (allowed: P-256, P-384)");
    }
    throw new Refused(Problem.WEAK_KEY, "unsupported key type " + key.getAlgorithm()
        + " (allowed: RSA >= 2048, EC P-256, EC P-384)");
  }

  private static String curveName(ASN1ObjectIdentifier oid) {
    String n = ECNamedCurveTable.getName(oid);
    return n == null ? oid.getId() : n;
  }

  private static String commonName(JcaPKCS10CertificationRequest csr) {
    var rdns = csr.getSubject().getRDNs(BCStyle.CN);
    return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }
}
