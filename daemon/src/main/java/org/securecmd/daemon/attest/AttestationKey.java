package org.securecmd.daemon.attest;

import java.nio.ByteBuffer;

/**
 * An attestation key (AK) together with the EK it was created under: what {@code ENROLL} accepts and what
 * is recorded with the identity, so that later certifies ({@code RENEW} rekey) and quotes ({@code QUOTE})
 * are checked against the same key. Built from the two TPM2B_PUBLIC fields exactly as received;
 * {@link #akPublic()} and {@link #ekPublic()} give them back for storage.
 *
 * <p>The AK's Qualified Name ties it to the EK: QN(EK) = nameAlg(EK) || H(0x4000000B || Name(EK)) (a primary
 * key of the endorsement hierarchy) and QN(AK) = nameAlg(AK) || H(QN(EK) || Name(AK)). Every TPMS_ATTEST the
 * AK signs carries QN(AK) as its qualifiedSigner, so an AK made under another TPM's EK cannot pass.
 */
public final class AttestationKey {
  private static final int TPM_RH_ENDORSEMENT = 0x4000000b;
  private final byte[] akPublic;
  private final byte[] ekPublic;
  final TpmPublic ak;
  final TpmPublic ek;

  private AttestationKey(byte[] akPublic, byte[] ekPublic, TpmPublic ak, TpmPublic ek) {
    this.akPublic = akPublic;
    this.ekPublic = ekPublic;
    this.ak = ak;
    this.ek = ek;
  }

  /**
   * Parses both public areas (TPM2B_PUBLIC) and checks the AK's attributes (fixedTPM, fixedParent,
   * sensitiveDataOrigin, restricted, sign, not decrypt) and name algorithm, that the EK is a restricted
   * decryption key, and that both are keys the JDK can use (RSA, or ECC on P-256 or P-384). Also used to
   * restore a recorded AK.
   */
  public static AttestationKey of(byte[] akPublic, byte[] ekPublic) throws AttestationException {
    TpmPublic ek = TpmPublic.parse("EK public area", ekPublic);
    KeyPolicy.checkEk(ek);
    ek.publicKey("EK public area");
    TpmPublic ak = TpmPublic.parse("AK public area", akPublic);
    KeyPolicy.checkAk(ak);
    ak.publicKey("AK public area");
    return new AttestationKey(akPublic.clone(), ekPublic.clone(), ak, ek);
  }

  /**
   * An AK recorded at enrollment, without its EK (the registry keeps the AK's public area): for an attested
   * rekey's certify. Its qualifiedSigner is not checked ({@link #qualifiedName} is null): the AK was tied to
   * its EK by credential activation when it enrolled, and a restricted signing key signs only structures the
   * TPM itself made, so a certify it signed comes from the TPM that holds it.
   */
  public static AttestationKey enrolled(byte[] akPublic) throws AttestationException {
    TpmPublic ak = TpmPublic.parse("AK public area", akPublic);
    KeyPolicy.checkAk(ak);
    ak.publicKey("AK public area");
    return new AttestationKey(akPublic.clone(), null, ak, null);
  }

  /** The AK's TPM2B_PUBLIC as received. */
  public byte[] akPublic() {
    return akPublic.clone();
  }

  /** The EK's TPM2B_PUBLIC as received. */
  public byte[] ekPublic() {
    return ekPublic == null ? null : ekPublic.clone();
  }

  /** The AK's Name (the object MakeCredential binds the secret to). */
  public byte[] akName() throws AttestationException {
    return ak.name("AK");
  }

  /** QN(AK) under the EK, as it must appear as qualifiedSigner. */
  byte[] qualifiedName() throws AttestationException {
    if (ek == null) return null; // an enrolled AK: see enrolled()
    HashAlg ekHash = HashAlg.of(ek.nameAlg(), "EK name");
    HashAlg akHash = HashAlg.of(ak.nameAlg(), "AK name");
    byte[] hierarchy = ByteBuffer.allocate(4).putInt(TPM_RH_ENDORSEMENT).array();
    byte[] ekQn = TpmPublic.concat(ekHash.idBytes(), ekHash.digest(hierarchy, ek.name("EK")));
    return TpmPublic.concat(akHash.idBytes(), akHash.digest(ekQn, ak.name("AK")));
  }
}
