package org.securecmd.daemon;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.EndorsementKeyType;
import org.securecmd.tpm.Handles;
import org.securecmd.tpm.KeyTemplate;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.Swtpm;
import org.securecmd.tpm.Tpm;
import org.securecmd.tpm.TpmException;

/**
 * A device's side of TPM-attested enrollment, as the documented verbs spell it, on a {@link Swtpm}
 * through {@code org.securecmd.tpm}: its EK (of {@code type}), an AK made under it, a storage primary and a TLS
 * key made inside the TPM. Builds the request lines and the TPM's answers; {@link #close} flushes what it
 * loaded and ends the TPM connection. swtpm holds three transient objects, and a persistent key in use takes a
 * slot for the command: the device keeps only the AK and the TLS key loaded, the storage primary persisted
 * (as a board's tpm2-pkcs11 token has it), and loads anything else after flushing what the step no longer
 * needs ({@link #flush}).
 */
final class TpmDevice implements AutoCloseable {
  final Tpm tpm;
  final EndorsementKeyType type;
  final LoadedKey ek;
  /** The enrolled AK, loaded for the device's life. */
  final LoadedKey ak;
  private final LoadedKey srk;
  /** The TLS key, loaded (null after {@link #flush} of it). */
  LoadedKey tls;
  private final List<Integer> loaded = new ArrayList<>();

  /** The answer to ENROLL, decoded. */
  record Challenge(byte[] credentialBlob, byte[] encryptedSecret, byte[] nonce) {
    static Challenge parse(String reply) {
      String[] f = reply.split(" ");
      if (f.length != 3) throw new AssertionError("ENROLL answered: " + reply);
      Base64.Decoder d = Base64.getDecoder();
      return new Challenge(d.decode(f[0]), d.decode(f[1]), d.decode(f[2]));
    }
  }

  private TpmDevice(Tpm tpm, EndorsementKeyType type) throws TpmException {
    this.tpm = tpm;
    this.type = type;
    this.ek = tpm.endorsementKey(type);
    if (ek.handle() != type.persistentHandle()) throw new AssertionError("swtpm_setup persists the EKs");
    this.ak = load(ek, KeyTemplate.attestationKey());
    LoadedKey root = tpm.storageRootKey();
    if (root.handle() != Handles.SRK_PERSISTENT) {
      LoadedKey persisted = tpm.persist(root, Handles.SRK_PERSISTENT);
      tpm.flushContext(root.handle());
      root = persisted;
    }
    this.srk = root;
    this.tls = newKey();
  }

  static TpmDevice open(Swtpm software, EndorsementKeyType type) throws TpmException {
    TpmKeyProvider.install();
    Tpm tpm = software.open();
    try {
      return new TpmDevice(tpm, type);
    } catch (TpmException | RuntimeException e) {
      tpm.close();
      throw e;
    }
  }

  /** Another key made inside the TPM under the storage primary, as {@link #tls} was (flush one first). */
  LoadedKey newKey() throws TpmException {
    return load(srk, KeyTemplate.tlsKey());
  }

  /** Another AK under the same EK (flush one first). */
  LoadedKey newAk() throws TpmException {
    return load(ek, KeyTemplate.attestationKey());
  }

  private LoadedKey load(LoadedKey parent, KeyTemplate template) throws TpmException {
    LoadedKey k = tpm.load(parent, tpm.create(parent, template));
    loaded.add(k.handle());
    return k;
  }

  /** Frees {@code key}'s slot; the device no longer uses it. */
  void flush(LoadedKey key) throws TpmException {
    tpm.flushContext(key.handle());
    loaded.remove(Integer.valueOf(key.handle()));
    if (key == tls) tls = null;
  }

  String enroll() throws TpmException {
    return enroll(ak);
  }

  /** {@code ENROLL <EK certificate> <EK public> <AK public>} with {@code withAk} as the AK. */
  String enroll(LoadedKey withAk) throws TpmException {
    return "ENROLL " + b64(tpm.endorsementCertificate(type)) + " " + b64(ek.publicArea().marshalled()) + " "
        + b64(withAk.publicArea().marshalled());
  }

  byte[] activate(Challenge c) throws TpmException {
    return tpm.activateCredential(ak, ek, c.credentialBlob(), c.encryptedSecret());
  }

  /** The whole proof for {@link #tls}: activation, certify by the AK over the nonce, a CSR signed in the TPM. */
  String proof(Challenge c) throws Exception {
    return proof(activate(c), csr(tls), tls, tpm.certify(tls, ak, c.nonce()));
  }

  static String proof(byte[] secret, byte[] csr, LoadedKey key, Attestation a) {
    return "ENROLL-PROOF " + b64(secret) + " " + b64(csr) + " " + b64(key.publicArea().marshalled()) + " "
        + b64(a.attest()) + " " + b64(a.signatureBytes());
  }

  /** A PKCS#10 CSR for {@code key}, signed inside the TPM; its subject is whatever the device likes. */
  byte[] csr(LoadedKey key) throws Exception {
    return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=whatever-the-device-says"),
        key.publicArea().publicKey()).build(new JcaContentSignerBuilder("SHA256withECDSA")
        .build(new TpmKeyProvider.Key(tpm, key))).getEncoded();
  }

  /** The issued chain with {@code key} (held in the TPM) for TLS. */
  CertifiedKey certifiedKey(LoadedKey key, List<X509Certificate> chain) throws Exception {
    return new CertifiedKey(new TpmKeyProvider.Key(tpm, key), chain);
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  @Override
  public void close() throws TpmException {
    try {
      for (int h : loaded) tpm.flushContext(h); // the persisted SRK stays for the next device run
    } finally {
      tpm.close();
    }
  }
}
