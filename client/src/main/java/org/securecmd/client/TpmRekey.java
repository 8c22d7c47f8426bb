package org.securecmd.client;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertificationRequest;
import org.securecmd.tpm.Alg;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.CreatedKey;
import org.securecmd.tpm.Handles;
import org.securecmd.tpm.KeyTemplate;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.Tpm;
import org.securecmd.tpm.TpmException;
import org.securecmd.tpm.TpmSignature;
import org.securecmd.tpm.TpmSpec;

/**
 * The attested rekey of a certificate issued to a TPM-attested key (docs/protocol.md, RENEW): a new TLS key
 * made inside the TPM under the persisted storage root key (0x81000001), certified (TPM2_Certify) by the AK
 * the device enrolled with (persisted at 0x81000002) over a {@code NONCE} of the connection, and
 * {@code RENEW <CSR> <TPM2B_PUBLIC> <TPMS_ATTEST> <TPMT_SIGNATURE>} with a CSR signed inside the TPM.
 *
 * <p>Open it after the TLS handshake: on swtpm (one client at a time) the handshake's signature through
 * tpm2-pkcs11 would otherwise wait for this connection. {@link #close} flushes the new key's transient
 * handle and ends the TPM connection.
 */
public final class TpmRekey implements AutoCloseable {
  private final Tpm tpm;
  private final String where;
  private LoadedKey ak;
  private CreatedKey created;
  private LoadedKey key;

  private TpmRekey(Tpm tpm, String where) {
    this.tpm = tpm;
    this.where = where;
  }

  /**
   * Opens the TPM {@code tpmSpec} names and makes the new key.
   *
   * @throws IllegalArgumentException if {@code tpmSpec} is malformed
   * @throws GeneralSecurityException naming the TPM: no AK or SRK persisted (the device did not enroll here), a
   *     TPM command that failed
   */
  public static TpmRekey prepare(String tpmSpec) throws GeneralSecurityException {
    TpmSpec spec = TpmSpec.parse(tpmSpec);
    TpmRekey r;
    try {
      r = new TpmRekey(Tpm.open(spec), spec.toString());
    } catch (TpmException e) {
      throw new GeneralSecurityException("TPM " + spec + ": " + e.getMessage(), e);
    }
    try {
      r.ak = r.tpm.persistentKey(Handles.AK_PERSISTENT);
      LoadedKey srk = r.tpm.persistentKey(Handles.SRK_PERSISTENT);
      r.created = r.tpm.create(srk, KeyTemplate.tlsKey());
      r.key = r.tpm.load(srk, r.created);
      return r;
    } catch (TpmException e) {
      r.close();
      throw new GeneralSecurityException("TPM " + spec + ": " + e.getMessage() + " (the AK at 0x81000002 and the SRK"
          + " at 0x81000001 are where enroll left them)", e);
    }
  }

  /**
   * On the open connection {@code c} (authenticated with the current certificate {@code current}): NONCE,
   * the certify of the new key over it, RENEW with the proof; returns the issued chain, checked as any
   * renewal's (the new key, the current names, valid now).
   */
  public List<X509Certificate> renew(Connection c, X509Certificate current)
      throws ClientException, RenewalException, GeneralSecurityException {
    Reply nonce = c.send("NONCE");
    if (nonce.isError()) {
      throw new RenewalException(nonce.code() == null ? org.securecmd.protocol.ErrorCode.INTERNAL : nonce.code(),
          nonce.line());
    }
    try {
      Attestation certified = tpm.certify(key, ak, Base64.getDecoder().decode(nonce.text()));
      PublicKey publicKey = key.publicArea().publicKey();
      byte[] csr = CertificationRequest.der(publicKey, Renewal.commonNameOf(current), this::signInTpm);
      Base64.Encoder b64 = Base64.getEncoder();
      Reply reply = c.send("RENEW " + b64.encodeToString(csr) + " " + b64.encodeToString(key.publicArea().marshalled())
          + " " + b64.encodeToString(certified.attest()) + " " + b64.encodeToString(certified.signatureBytes()));
      return Renewal.checked(reply, current, publicKey);
    } catch (TpmException e) {
      throw new GeneralSecurityException("TPM " + where + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new RenewalException(null, "NONCE's answer is not base64: " + e.getMessage());
    }
  }

  private byte[] signInTpm(byte[] toBeSigned) throws GeneralSecurityException {
    try {
      TpmSignature s = tpm.sign(key, MessageDigest.getInstance("SHA-256").digest(toBeSigned));
      if (s.sigAlg() != Alg.ECDSA) throw new GeneralSecurityException("TPM2_Sign answered a non-ECDSA signature");
      return CertificationRequest.ecdsaDer(s.r(), s.s());
    } catch (TpmException e) {
      throw new GeneralSecurityException("TPM " + where + ": " + e.getMessage(), e);
    }
  }

  /** The new key's public area, TPM2B_PUBLIC (a tpm2-tools {@code .pub} file). */
  public byte[] tlsKeyPublic() {
    return key.publicArea().marshalled();
  }

  /** The new key's private area, TPM2B_PRIVATE (a tpm2-tools {@code .priv} file). */
  public byte[] tlsKeyPrivate() {
    return created.privateArea();
  }

  @Override
  public void close() {
    try {
      if (key != null) tpm.flushContext(key.handle());
    } catch (TpmException ignored) {
      // closing the connection (or /dev/tpmrm0) frees it as well
    }
    try {
      tpm.close();
    } catch (TpmException ignored) {
      // nothing left to do
    }
  }
}
