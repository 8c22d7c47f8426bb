package org.securecmd.daemon.attest;

import java.util.Locale;

/**
 * TPM evidence that does not hold. The message is the reason, one line, meant for the reply
 * ({@code ERR <kind> <reason>}) and the audit line; it never contains secret values. {@link #check} names
 * the failed check from a small fixed set, for metric labels (reasons carry values and would not be).
 */
public final class AttestationException extends Exception {
  /** Which {@code ERR} code a refusal maps to. */
  public enum Kind {
    /** The EK certificate does not chain to {@code ek_ca}: the TPM is not one the operator trusts. */
    FORBIDDEN,
    /** The evidence is malformed or a proof fails. */
    BAD_ATTESTATION
  }

  /** The check that failed; {@link #label} is its metric label. */
  public enum Check {
    /** A structure does not parse, or uses an algorithm or form this server does not accept. */
    MALFORMED,
    /** The EK certificate does not chain to {@code ek_ca} (the only {@link Kind#FORBIDDEN} check). */
    EK_CA,
    /** The EK certificate is not DER X.509 or is not for an EK (EKU). */
    EK_CERTIFICATE,
    /** The EK public area is not the certificate's key, or not a restricted decryption key. */
    EK_KEY,
    /** The AK lacks an attribute it must have, or has decrypt. */
    AK_ATTRIBUTES,
    /** The activated secret is not the credential's. */
    SECRET,
    /** An enrollment challenge answered twice. */
    REPLAY,
    /** The signature does not verify with the AK, or its scheme does not fit the AK. */
    SIGNATURE,
    /** extraData is not this connection's nonce. */
    NONCE,
    /** The signer is not the AK under the EK. */
    QUALIFIED_SIGNER,
    /** The certified Name is not the key's. */
    CERTIFIED_NAME,
    /** The certified key lacks an attribute it must have, or has decrypt. */
    KEY_ATTRIBUTES,
    /** The CSR does not parse or verify, or its key is not the certified key. */
    CSR,
    /** The quote's PCR selection is not the SHA-256 bank or does not cover the required PCRs. */
    PCR_SELECTION,
    /** The PCR values sent do not fit the selection or do not hash to the quoted digest. */
    PCR_VALUES;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Check check;

  AttestationException(Check check, String reason) {
    super(reason);
    this.check = check;
  }

  /** A structure that does not parse or is of an unsupported form. */
  static AttestationException bad(String reason) {
    return new AttestationException(Check.MALFORMED, reason);
  }

  static AttestationException failed(Check check, String reason) {
    return new AttestationException(check, reason);
  }

  public Kind kind() {
    return check == Check.EK_CA ? Kind.FORBIDDEN : Kind.BAD_ATTESTATION;
  }

  public Check check() {
    return check;
  }

  /** The reason, as the reply names it. */
  public String reason() {
    return getMessage();
  }
}
