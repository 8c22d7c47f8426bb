package org.securecmd.daemon.attest;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.securecmd.tpm.Swtpm;

/**
 * What a device does with tpm2-tools, for the swtpm tests: read the EKs and their certificates, make AKs
 * under the EKs, a storage primary, a TLS key made inside the TPM and one imported from outside, activate
 * a credential (with the EK's policy session), certify, and sign a CSR with a TPM key.
 */
final class TpmSetup {
  /** TCG EK Credential Profile, high-range templates: PolicyA (PolicySecret(TPM_RH_ENDORSEMENT)), SHA-384. */
  static final String POLICY_A_SHA384 =
      "8bbf2266537c171cb56e403c4dc1d4b64f432611dc386e6f532050c3278c930e143e8bb1133824ccb431053871c6db53";
  /** PolicyC (PolicyAuthorizeNV of index 0x01c07f02), SHA-384: the other branch of the EK's PolicyOR. */
  static final String POLICY_C_SHA384 =
      "d6032ce61f2fb3c240eb3cf6a33237ef2b6a16f4293c22b455e261cffd217ad5b4947c2d73e63005eed2dc2b3593d165";

  static final String EK_P256 = "0x81010002";
  static final String AK_UNDER_EK_P256 = "0x81018002";

  record Certify(byte[] attest, byte[] signature) {}

  private TpmSetup() {}

  /** EKs, certificates, AKs (RSA at 0x81018000, ECC at 0x81018001), primary, TLS key and imported key. */
  static void keys(Swtpm tpm) throws Exception {
    tpm.tool("tpm2_nvread", "0x1c00002", "-C", "o", "-o", "ekrsa.der");
    tpm.tool("tpm2_nvread", "0x1c00016", "-C", "o", "-o", "ekecc.der");
    tpm.tool("tpm2_readpublic", "-c", Swtpm.RSA_EK, "-o", "ekrsa.pub");
    tpm.tool("tpm2_readpublic", "-c", Swtpm.ECC_EK, "-o", "ekecc.pub");
    ak(tpm, "rsa", Swtpm.RSA_EK, "rsa", "rsassa", SwtpmEvidenceTest.RSA_AK);
    ak(tpm, "ecc", Swtpm.ECC_EK, "ecc256", "ecdsa", SwtpmEvidenceTest.ECC_AK);
    // A low-range P-256 EK (tpm2_createek -G ecc: the TCG template, nameAlg SHA-256, AES-128), without a
    // certificate, for the ECDH + KDFe path with SHA-256.
    tpm.tool("tpm2_createek", "-G", "ecc", "-c", "ek256.ctx", "-u", "ekecc256.pub");
    tpm.tool("tpm2_evictcontrol", "-C", "o", "-c", "ek256.ctx", EK_P256);
    tpm.flush();
    ak(tpm, "ecc256", EK_P256, "ecc256", "ecdsa", AK_UNDER_EK_P256);
    tpm.tool("tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc256", "-c", "primary.ctx");
    tpm.tool("tpm2_evictcontrol", "-C", "o", "-c", "primary.ctx", "0x81000001");
    tpm.flush();
    tpm.tool("tpm2_create", "-C", "0x81000001", "-G", "ecc256", "-a",
        "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign", "-u", "tls.pub", "-r", "tls.priv");
    persist(tpm, "tls", SwtpmEvidenceTest.TLS_KEY);
    Swtpm.exec(tpm.dir, java.util.List.of("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout",
        "-out", "imported.pem"), null);
    tpm.tool("tpm2_import", "-C", "0x81000001", "-G", "ecc", "-i", "imported.pem", "-a", "userwithauth|sign",
        "-u", "imported.pub", "-r", "imported.priv");
    persist(tpm, "imported", "0x81000003");
  }

  private static void ak(Swtpm tpm, String kind, String ek, String alg, String scheme, String handle) throws Exception {
    tpm.tool("tpm2_createak", "-C", ek, "-c", "ak" + kind + ".ctx", "-G", alg, "-g", "sha256", "-s", scheme,
        "-u", "ak" + kind + ".pub", "-n", "ak" + kind + ".name", "-r", "ak" + kind + ".priv");
    tpm.tool("tpm2_evictcontrol", "-C", "o", "-c", "ak" + kind + ".ctx", handle);
    tpm.flush();
  }

  private static void persist(Swtpm tpm, String name, String handle) throws Exception {
    tpm.tool("tpm2_load", "-C", "0x81000001", "-u", name + ".pub", "-r", name + ".priv", "-c", name + ".ctx");
    tpm.tool("tpm2_evictcontrol", "-C", "o", "-c", name + ".ctx", handle);
    tpm.flush();
  }

  /**
   * tpm2_activatecredential of {@code blob} with the EK's policy: PolicySecret(endorsement), and for a
   * high-range EK (SHA-384) the PolicyOR of PolicyA and PolicyC its authPolicy is made of.
   */
  static byte[] activate(Swtpm tpm, MakeCredential.Blob blob, String ak, String ek, boolean highRange) throws Exception {
    byte[] file = ByteBuffer.allocate(8 + blob.idObject().length + blob.encryptedSecret().length)
        .putInt(0xbadcc0de).putInt(1).put(blob.idObject()).put(blob.encryptedSecret()).array();
    Files.write(tpm.dir.resolve("cred.bin"), file);
    Files.deleteIfExists(tpm.dir.resolve("activated.bin"));
    try {
      if (highRange) {
        Files.write(tpm.dir.resolve("policya.bin"), HexFormat.of().parseHex(POLICY_A_SHA384));
        Files.write(tpm.dir.resolve("policyc.bin"), HexFormat.of().parseHex(POLICY_C_SHA384));
        tpm.tool("tpm2_startauthsession", "--policy-session", "-g", "sha384", "-S", "session.ctx");
        tpm.tool("tpm2_policysecret", "-S", "session.ctx", "-c", "e");
        tpm.tool("tpm2_policyor", "-S", "session.ctx", "-l", "sha384:policya.bin,policyc.bin");
      } else {
        tpm.tool("tpm2_startauthsession", "--policy-session", "-S", "session.ctx");
        tpm.tool("tpm2_policysecret", "-S", "session.ctx", "-c", "e");
      }
      tpm.tool("tpm2_activatecredential", "-c", ak, "-C", ek, "-i", "cred.bin", "-o", "activated.bin",
          "-P", "session:session.ctx");
      return tpm.read("activated.bin");
    } finally {
      tpm.flush();
    }
  }

  /** tpm2_certify of {@code key} by {@code ak} (extraData 00ff55aa), as raw TPMS_ATTEST and TPMT_SIGNATURE. */
  static Certify certify(Swtpm tpm, String key, String ak) throws Exception {
    tpm.tool("tpm2_certify", "-c", key, "-C", ak, "-g", "sha256", "-o", "certify.attest", "-s", "certify.sig");
    tpm.flush();
    return new Certify(tpm.read("certify.attest"), tpm.read("certify.sig"));
  }

  /** A PKCS#10 CSR for CN=device-1 whose signature the TPM key {@code key} made (tpm2_sign, ECDSA SHA-256). */
  static byte[] csr(Swtpm tpm, String key, String publicFile) throws Exception {
    var pk = TpmPublic.parse("key", tpm.read(publicFile)).publicKey("key");
    ContentSigner signer = new ContentSigner() {
      final ByteArrayOutputStream tbs = new ByteArrayOutputStream();

      @Override
      public AlgorithmIdentifier getAlgorithmIdentifier() {
        return new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.2.840.10045.4.3.2"));
      }

      @Override
      public OutputStream getOutputStream() {
        return tbs;
      }

      @Override
      public byte[] getSignature() {
        try {
          Files.write(tpm.dir.resolve("csr.tbs"), tbs.toByteArray());
          tpm.tool("tpm2_sign", "-c", key, "-g", "sha256", "-f", "plain", "-o", "csr.sig", "csr.tbs");
          tpm.flush();
          return tpm.read("csr.sig");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
    return new PKCS10CertificationRequestBuilder(new X500Name("CN=device-1"),
        SubjectPublicKeyInfo.getInstance(pk.getEncoded())).build(signer).getEncoded();
  }
}
