package org.securecmd.tpm;

import java.util.HexFormat;

/**
 * A public-area template (TPMT_PUBLIC) for TPM2_CreatePrimary or TPM2_Create. The factories give the
 * standard templates this project uses; the EK templates are those of the TCG EK Credential Profile 2.x
 * (the TPM re-derives the same EK from them, so a certificate made for the EK matches it), the SRK that of
 * the TCG TPM 2.0 Provisioning Guidance.
 */
public record KeyTemplate(String description, byte[] area) {
  /** PolicySecret(TPM_RH_ENDORSEMENT) under SHA-256: the authPolicy of the low-range EKs. */
  static final byte[] POLICY_A_SHA256 =
      HexFormat.of().parseHex("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
  /** PolicyOR(PolicyA, PolicyC) under SHA-384: the authPolicy of the high-range P-384 EK (template H-3). */
  static final byte[] POLICY_B_SHA384 = HexFormat.of().parseHex(
      "b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c0ad9bde419cacb47ba09699646150f9fc000f3f80e12");

  private static final int EK_LOW = TpmPublic.FIXED_TPM | TpmPublic.FIXED_PARENT | TpmPublic.SENSITIVE_DATA_ORIGIN
      | TpmPublic.ADMIN_WITH_POLICY | TpmPublic.RESTRICTED | TpmPublic.DECRYPT;
  private static final int SIGNING_KEY = TpmPublic.FIXED_TPM | TpmPublic.FIXED_PARENT
      | TpmPublic.SENSITIVE_DATA_ORIGIN | TpmPublic.USER_WITH_AUTH | TpmPublic.SIGN;

  public KeyTemplate {
    area = area.clone();
  }

  @Override
  public byte[] area() {
    return area.clone();
  }

  /** The storage root key: ECC P-256, restricted decrypt, AES-128-CFB, noDA (Provisioning Guidance). */
  public static KeyTemplate storageRootKey() {
    int attrs = TpmPublic.FIXED_TPM | TpmPublic.FIXED_PARENT | TpmPublic.SENSITIVE_DATA_ORIGIN
        | TpmPublic.USER_WITH_AUTH | TpmPublic.NO_DA | TpmPublic.RESTRICTED | TpmPublic.DECRYPT;
    return ecc("SRK ECC P-256", Alg.SHA256, attrs, new byte[0], 128, Alg.NULL, Alg.NIST_P256, 32);
  }

  /** EK template L-1: RSA-2048, SHA-256, AES-128-CFB, PolicySecret(endorsement), 256 zero bytes of unique. */
  public static KeyTemplate endorsementRsa2048() {
    TpmWriter w = header(Alg.RSA, Alg.SHA256, EK_LOW, POLICY_A_SHA256);
    w.u16(Alg.AES).u16(128).u16(Alg.CFB).u16(Alg.NULL).u16(2048).u32(0).tpm2b(new byte[256]);
    return new KeyTemplate("EK RSA-2048 (L-1)", w.toByteArray());
  }

  /** EK template L-2: ECC P-256, SHA-256, AES-128-CFB, PolicySecret(endorsement), 32 zero bytes each of x and y. */
  public static KeyTemplate endorsementEccP256() {
    return ecc("EK ECC P-256 (L-2)", Alg.SHA256, EK_LOW, POLICY_A_SHA256, 128, Alg.NULL, Alg.NIST_P256, 32);
  }

  /** EK template H-3: ECC P-384, SHA-384, AES-256-CFB, userWithAuth, PolicyB, empty unique (swtpm's ECC EK). */
  public static KeyTemplate endorsementEccP384() {
    return ecc("EK ECC P-384 (H-3)", Alg.SHA384, EK_LOW | TpmPublic.USER_WITH_AUTH, POLICY_B_SHA384, 256, Alg.NULL,
        Alg.NIST_P384, 0);
  }

  /**
   * An attestation key: ECC P-256 restricted signing key with ECDSA-SHA256 (attributes 0x00050072), so
   * the TPM signs with it only what it made itself (quotes, certifications).
   */
  public static KeyTemplate attestationKey() {
    return ecc("AK ECC P-256", Alg.SHA256, SIGNING_KEY | TpmPublic.RESTRICTED, new byte[0], 0, Alg.ECDSA,
        Alg.NIST_P256, 0);
  }

  /** A TLS key: ECC P-256 unrestricted signing key with a null scheme (attributes 0x00040072), as PKCS#11 needs. */
  public static KeyTemplate tlsKey() {
    return ecc("TLS key ECC P-256", Alg.SHA256, SIGNING_KEY, new byte[0], 0, Alg.NULL, Alg.NIST_P256, 0);
  }

  private static KeyTemplate ecc(String description, int nameAlg, int attrs, byte[] policy, int aesBits, int scheme,
      int curve, int uniqueBytes) {
    TpmWriter w = header(Alg.ECC, nameAlg, attrs, policy);
    if (aesBits == 0) {
      w.u16(Alg.NULL);
    } else {
      w.u16(Alg.AES).u16(aesBits).u16(Alg.CFB);
    }
    w.u16(scheme);
    if (scheme != Alg.NULL) w.u16(Alg.SHA256);
    w.u16(curve).u16(Alg.NULL).tpm2b(new byte[uniqueBytes]).tpm2b(new byte[uniqueBytes]);
    return new KeyTemplate(description, w.toByteArray());
  }

  private static TpmWriter header(int type, int nameAlg, int attrs, byte[] policy) {
    return new TpmWriter().u16(type).u16(nameAlg).u32(attrs).tpm2b(policy);
  }
}
