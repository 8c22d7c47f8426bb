package org.securecmd.daemon.attest;

import org.securecmd.daemon.attest.AttestationException.Check;

/**
 * The object attributes an AK and an attested TLS key must have. Both: fixedTPM and fixedParent (the key
 * can never leave this TPM, not even by duplication), sensitiveDataOrigin (the TPM made the private key;
 * a key brought in with TPM2_Import lacks it), sign. The AK is also restricted (it signs only what the TPM
 * itself produced, so a TPMS_ATTEST with the TPM's magic is genuine) and must not decrypt; the TLS key must
 * not decrypt (a decrypt key could be used to unwrap what it should not).
 */
final class KeyPolicy {
  private static final int COMMON = TpmPublic.FIXED_TPM | TpmPublic.FIXED_PARENT | TpmPublic.SENSITIVE_DATA_ORIGIN
      | TpmPublic.SIGN;

  private KeyPolicy() {}

  static void checkAk(TpmPublic ak) throws AttestationException {
    check("AK", ak, COMMON | TpmPublic.RESTRICTED, Check.AK_ATTRIBUTES);
  }

  static void checkTlsKey(TpmPublic key) throws AttestationException {
    check("TLS key", key, COMMON, Check.KEY_ATTRIBUTES);
  }

  /** The EK: a restricted decryption (storage) key, which is what MakeCredential needs. */
  static void checkEk(TpmPublic ek) throws AttestationException {
    if (!ek.has(TpmPublic.RESTRICTED | TpmPublic.DECRYPT) || ek.has(TpmPublic.SIGN)) {
      throw AttestationException.failed(Check.EK_KEY, "EK public area is not a restricted decryption key");
    }
  }

  private static void check(String what, TpmPublic p, int required, Check failed) throws AttestationException {
    HashAlg.of(p.nameAlg(), what + " name");
    // sensitiveDataOrigin first: an imported key lacks fixedTPM and fixedParent too (TPM2_Import refuses
    // them), and "made outside the TPM" is the reason that tells the operator what happened.
    for (int bit : new int[] {TpmPublic.SENSITIVE_DATA_ORIGIN, TpmPublic.FIXED_TPM, TpmPublic.FIXED_PARENT,
        TpmPublic.RESTRICTED, TpmPublic.SIGN}) {
      if ((required & bit) != 0 && !p.has(bit)) {
        throw AttestationException.failed(failed, what + " lacks the attribute " + attributeName(bit));
      }
    }
    if (p.has(TpmPublic.DECRYPT)) throw AttestationException.failed(failed, what + " has the attribute decrypt");
  }

  static String attributeName(int bit) {
    return switch (bit) {
      case TpmPublic.FIXED_TPM -> "fixedTPM";
      case TpmPublic.FIXED_PARENT -> "fixedParent";
      case TpmPublic.SENSITIVE_DATA_ORIGIN -> "sensitiveDataOrigin";
      case TpmPublic.RESTRICTED -> "restricted";
      case TpmPublic.SIGN -> "sign";
      default -> String.format("%08x", bit);
    };
  }
}
