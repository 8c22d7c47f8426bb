package org.securecmd.daemon.attest;

import java.security.MessageDigest;
import org.securecmd.ca.SigningRequest;
import org.securecmd.daemon.attest.AttestationException.Check;

/**
 * The TPM2_Certify verdict of {@code ENROLL-PROOF} and of an attested {@code RENEW} rekey: the TLS key in
 * the CSR was made inside the TPM that holds the AK and can never leave it.
 *
 * <pre>{@code
 * AttestedKey k = CertifyVerifier.verify(ak, nonce, csrDer, keyPublic, attest, signature);
 * }</pre>
 *
 * <p>In order, each with its own refusal: the TPMS_ATTEST parses with magic ff544347 and type certify (8017);
 * its signature verifies with the AK (before any other field is trusted); its extraData is the nonce; its
 * qualifiedSigner is the AK under its EK ({@link AttestationKey}); the certified Name is the Name of the
 * key's public area; that area has fixedTPM, fixedParent, sensitiveDataOrigin and sign and not decrypt; the
 * CSR parses, its signature verifies (proof of possession) and its key is the certified key.
 */
public final class CertifyVerifier {
  private CertifyVerifier() {}

  /**
   * @param nonce the server's nonce for this connection (the caller makes sure it is used once)
   * @param csr the PKCS#10 CSR, DER
   * @param keyPublic the TLS key's TPM2B_PUBLIC
   * @param attest the raw TPMS_ATTEST
   * @param signature the raw TPMT_SIGNATURE
   */
  public static AttestedKey verify(AttestationKey ak, byte[] nonce, byte[] csr, byte[] keyPublic, byte[] attest,
      byte[] signature) throws AttestationException {
    Nonces.check(nonce);
    TpmsAttest a = TpmsAttest.parse(attest);
    if (a.type() != TpmsAttest.CERTIFY) {
      throw AttestationException.bad("TPMS_ATTEST type " + HashAlg.hex16(a.type()) + " is not certify (8017)");
    }
    TpmSignature.parse(signature).verify(ak.ak, "AK", attest, "certify");
    if (!MessageDigest.isEqual(a.extraData(), nonce)) {
      throw AttestationException.failed(Check.NONCE, "certify extraData is not this connection's nonce");
    }
    byte[] qualified = ak.qualifiedName(); // null for an AK recorded at enrollment (AttestationKey.enrolled)
    if (qualified != null && !MessageDigest.isEqual(a.qualifiedSigner(), qualified)) {
      throw AttestationException.failed(Check.QUALIFIED_SIGNER, "certify qualifiedSigner is not the AK under this EK");
    }
    TpmPublic key = TpmPublic.parse("TLS key public area", keyPublic);
    byte[] name = key.name("TLS key");
    if (!MessageDigest.isEqual(a.certifiedName(), name)) {
      throw AttestationException.failed(Check.CERTIFIED_NAME,
          "certified Name is not the Name of the TLS key's public area");
    }
    KeyPolicy.checkTlsKey(key);
    SigningRequest request;
    try {
      request = SigningRequest.parse(csr);
    } catch (SigningRequest.Refused e) {
      throw AttestationException.failed(Check.CSR, "CSR: " + e.getMessage());
    }
    if (!TpmKeys.sameKey(request.publicKey(), key.publicKey("TLS key public area"))) {
      throw AttestationException.failed(Check.CSR, "the CSR's key is not the certified key");
    }
    return new AttestedKey(request.publicKey(), name, request.commonName());
  }
}
