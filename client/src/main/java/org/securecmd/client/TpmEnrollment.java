package org.securecmd.client;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertificationRequest;
import org.securecmd.tpm.Alg;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.CreatedKey;
import org.securecmd.tpm.EndorsementKeyType;
import org.securecmd.tpm.Handles;
import org.securecmd.tpm.KeyTemplate;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.ResponseCodes;
import org.securecmd.tpm.Tpm;
import org.securecmd.tpm.TpmException;
import org.securecmd.tpm.TpmSignature;
import org.securecmd.tpm.TpmSpec;

/**
 * A device's TPM-attested enrollment (docs/protocol.md, "TPM-attested enrollment"), run with the device's TPM:
 * <ol>
 *   <li>{@link #prepare}: the EK certificate and EK, a new attestation key (AK) made under the EK, the storage
 *       root key (persisted at 0x81000001 when it is not there yet, so tpm2-pkcs11 can use it as its primary)
 *       and a new ECC P-256 TLS key made inside the TPM under it;
 *   <li>{@link #enroll}: on one connection without a client certificate, {@code ENROLL} (EK certificate, EK
 *       and AK public areas), TPM2_ActivateCredential of the server's credential, TPM2_Certify of the TLS key
 *       by the AK over the server's nonce, a CSR signed inside the TPM (TPM2_Sign), {@code ENROLL-PROOF}; the
 *       issued chain is checked to be for the TLS key and valid now;
 *   <li>{@link #keepAttestationKey}: the AK is persisted at 0x81000002, where later quotes and attested
 *       rekeys find it.
 * </ol>
 * The TLS key's {@link #tlsKeyPublic()} and {@link #tlsKeyPrivate()} are tpm2-tools' {@code .pub} and
 * {@code .priv} files (for {@code tpm2_ptool link}). {@link #close} flushes what this loaded and ends the TPM
 * connection (swtpm serves one client at a time: close before other TPM tools run). TPM failures are
 * {@link GeneralSecurityException}s whose message names the TPM and the command.
 */
public final class TpmEnrollment implements AutoCloseable {
  /** The CSR's subject is ignored by the server (it issues CN= the registered name); this is a placeholder. */
  private static final String CSR_NAME = "securecmd-tpm-enrollment";

  /** Which EK to enroll with. */
  public enum EkChoice {
    /** The RSA-2048 EK if the TPM holds its certificate, else an ECC one. */
    AUTO,
    /** The RSA-2048 EK (certificate in NV 0x01c00002). */
    RSA,
    /** An ECC EK: P-256 (certificate in 0x01c0000a), else P-384 (0x01c00016, swtpm's). */
    ECC
  }

  private final Tpm tpm;
  private final String where;
  private final List<Integer> transients = new ArrayList<>();
  private EndorsementKeyType type;
  private byte[] ekCertificate;
  private LoadedKey ek;
  private LoadedKey ak;
  private LoadedKey tls;
  private CreatedKey tlsCreated;

  private TpmEnrollment(Tpm tpm, String where) {
    this.tpm = tpm;
    this.where = where;
  }

  /**
   * Opens the TPM {@code tpmSpec} names ({@code device:/dev/tpmrm0}, {@code swtpm:host=H,port=P}) and makes
   * the keys; the caller closes the result.
   *
   * @throws IllegalArgumentException if {@code tpmSpec} is malformed (the message says what is allowed)
   * @throws GeneralSecurityException naming the TPM and the command that failed, or the missing EK certificate
   */
  public static TpmEnrollment prepare(String tpmSpec, EkChoice choice) throws GeneralSecurityException {
    TpmSpec spec = TpmSpec.parse(tpmSpec);
    TpmEnrollment e;
    try {
      e = new TpmEnrollment(Tpm.open(spec), spec.toString());
    } catch (TpmException x) {
      throw new GeneralSecurityException("TPM " + spec + ": " + x.getMessage(), x);
    }
    try {
      e.makeKeys(choice);
      return e;
    } catch (TpmException x) {
      e.close();
      throw e.failure(x);
    } catch (GeneralSecurityException | RuntimeException x) {
      e.close();
      throw x;
    }
  }

  private void makeKeys(EkChoice choice) throws TpmException, GeneralSecurityException {
    type = endorsementKeyType(choice);
    ekCertificate = tpm.endorsementCertificate(type);
    ek = track(tpm.endorsementKey(type));
    ak = track(tpm.load(ek, tpm.create(ek, KeyTemplate.attestationKey())));
    LoadedKey srk = tpm.storageRootKey();
    if (srk.isTransient()) {
      // tpm2_ptool init --primary-handle=0x81000001 needs it there, and linked keys need it as their parent
      LoadedKey persisted = tpm.persist(srk, Handles.SRK_PERSISTENT);
      tpm.flushContext(srk.handle());
      srk = persisted;
    }
    tlsCreated = tpm.create(srk, KeyTemplate.tlsKey());
    tls = track(tpm.load(srk, tlsCreated));
  }

  private EndorsementKeyType endorsementKeyType(EkChoice choice) throws TpmException, GeneralSecurityException {
    List<EndorsementKeyType> candidates = choice == EkChoice.RSA ? List.of(EndorsementKeyType.RSA_2048)
        : choice == EkChoice.ECC ? List.of(EndorsementKeyType.ECC_P256, EndorsementKeyType.ECC_P384)
        : List.of(EndorsementKeyType.RSA_2048, EndorsementKeyType.ECC_P256, EndorsementKeyType.ECC_P384);
    for (EndorsementKeyType t : candidates) {
      try {
        tpm.nvReadPublic(t.certificateIndex());
        return t;
      } catch (TpmException e) {
        if (e.baseCode() != ResponseCodes.HANDLE) throw e;
      }
    }
    StringBuilder indexes = new StringBuilder();
    for (EndorsementKeyType t : candidates) {
      indexes.append(indexes.length() == 0 ? "" : ", ").append(String.format("0x%08x", t.certificateIndex()));
    }
    throw new GeneralSecurityException("TPM " + where + " holds no EK certificate" + (choice == EkChoice.AUTO ? ""
        : " for --ek " + choice.name().toLowerCase(java.util.Locale.ROOT)) + " (NV " + indexes + " are empty)");
  }

  private LoadedKey track(LoadedKey k) {
    if (k.isTransient()) transients.add(k.handle());
    return k;
  }

  /** The EK used: {@code RSA_2048}, {@code ECC_P256} or {@code ECC_P384}. */
  public String endorsementKey() {
    return type.name();
  }

  /**
   * Runs the exchange on a new connection of {@code client} (which presents no certificate) and returns the
   * issued chain, leaf first, after checking that it is for the TLS key and valid now.
   *
   * @throws EnrollmentException when the server refuses ({@link EnrollmentException#code()}: FORBIDDEN,
   *     PENDING, BAD_ATTESTATION, ...) or answers something that is not what the protocol says
   * @throws GeneralSecurityException when a TPM command fails
   */
  public List<X509Certificate> enroll(SecureCmdClient client, String host, int port)
      throws ClientException, EnrollmentException, GeneralSecurityException {
    try (Connection c = client.connect(host, port)) {
      return exchange(c);
    } catch (TpmException e) {
      throw failure(e);
    }
  }

  private List<X509Certificate> exchange(Connection c)
      throws ClientException, EnrollmentException, GeneralSecurityException, TpmException {
    String[] challenge = fields("ENROLL", c.send("ENROLL " + b64(ekCertificate) + " "
        + b64(ek.publicArea().marshalled()) + " " + b64(ak.publicArea().marshalled())), 3);
    byte[] credential = decode("ENROLL", challenge[0]);
    byte[] encryptedSecret = decode("ENROLL", challenge[1]);
    byte[] nonce = decode("ENROLL", challenge[2]);
    byte[] secret = tpm.activateCredential(ak, ek, credential, encryptedSecret);
    Attestation certified = tpm.certify(tls, ak, nonce);
    PublicKey key = tls.publicArea().publicKey();
    byte[] csr = CertificationRequest.der(key, CSR_NAME, this::signInTpm);
    Reply reply = c.send("ENROLL-PROOF " + b64(secret) + " " + b64(csr) + " " + b64(tls.publicArea().marshalled())
        + " " + b64(certified.attest()) + " " + b64(certified.signatureBytes()));
    List<X509Certificate> chain = chain(fields("ENROLL-PROOF", reply, -1));
    if (!Arrays.equals(chain.get(0).getPublicKey().getEncoded(), key.getEncoded())) {
      throw new EnrollmentException(null, "the server returned a certificate for another key; not installed");
    }
    try {
      chain.get(0).checkValidity();
    } catch (CertificateException e) {
      throw new EnrollmentException(null, "the returned certificate is not valid now (" + e.getMessage() + ")");
    }
    return chain;
  }

  /** TPM2_Sign of the SHA-256 digest with the TLS key: a CSR's signature made where the key lives. */
  private byte[] signInTpm(byte[] toBeSigned) throws GeneralSecurityException {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(toBeSigned);
    try {
      TpmSignature s = tpm.sign(tls, digest);
      if (s.sigAlg() != Alg.ECDSA) throw new GeneralSecurityException("TPM2_Sign answered a non-ECDSA signature");
      return CertificationRequest.ecdsaDer(s.r(), s.s());
    } catch (TpmException e) {
      throw failure(e);
    }
  }

  /** Persists the AK at 0x81000002 (replacing one an earlier enrollment left there). */
  public void keepAttestationKey() throws GeneralSecurityException {
    try {
      try {
        tpm.readPublic(Handles.AK_PERSISTENT);
        tpm.evict(Handles.AK_PERSISTENT);
      } catch (TpmException e) {
        if (e.baseCode() != ResponseCodes.HANDLE) throw e;
      }
      tpm.persist(ak, Handles.AK_PERSISTENT);
    } catch (TpmException e) {
      throw failure(e);
    }
  }

  /** The TLS key's public area, TPM2B_PUBLIC (a tpm2-tools {@code .pub} file). */
  public byte[] tlsKeyPublic() {
    return tls.publicArea().marshalled();
  }

  /** The TLS key's private area, wrapped by the storage root key: TPM2B_PRIVATE (a tpm2-tools {@code .priv} file). */
  public byte[] tlsKeyPrivate() {
    return tlsCreated.privateArea();
  }

  private static String[] fields(String verb, Reply reply, int count) throws EnrollmentException {
    if (reply.isError()) {
      ErrorCode code = reply.code();
      throw new EnrollmentException(code == null ? ErrorCode.INTERNAL : code, reply.line());
    }
    String[] f = reply.text().split(" ");
    if (count > 0 && f.length != count) {
      throw new EnrollmentException(null, verb + " answered " + f.length + " fields, expected " + count);
    }
    return f;
  }

  private static byte[] decode(String verb, String field) throws EnrollmentException {
    try {
      return Base64.getDecoder().decode(field);
    } catch (IllegalArgumentException e) {
      throw new EnrollmentException(null, verb + "'s answer is not base64: " + e.getMessage());
    }
  }

  private static List<X509Certificate> chain(String[] parts) throws EnrollmentException {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      for (String part : parts) {
        chain.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(part))));
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new EnrollmentException(null, "the server's ENROLL-PROOF reply is not a certificate chain: "
          + e.getMessage());
    }
    return chain;
  }

  private GeneralSecurityException failure(TpmException e) {
    return new GeneralSecurityException("TPM " + where + ": " + e.getMessage(), e);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  /** Flushes the transient objects this made and closes the TPM connection. */
  @Override
  public void close() {
    try {
      for (int h : transients) {
        try {
          tpm.flushContext(h);
        } catch (TpmException ignored) {
          // best effort: closing the connection (or /dev/tpmrm0) frees them as well
        }
      }
    } finally {
      try {
        tpm.close();
      } catch (TpmException ignored) {
        // nothing left to do with a TPM connection that does not close
      }
    }
  }
}
