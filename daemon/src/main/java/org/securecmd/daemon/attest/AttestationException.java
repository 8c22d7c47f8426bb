package org.securecmd.daemon.attest;

/**
 * TPM evidence that does not hold. The message is the reason, one line, meant for the reply
 * ({@code ERR <kind> <reason>}) and the audit line; it never contains secret values.
 */
public final class AttestationException extends Exception {
  /** Which {@code ERR} code a refusal maps to. */
  public enum Kind {
    /** The EK certificate does not chain to {@code ek_ca}: the TPM is not one the operator trusts. */
    FORBIDDEN,
    /** The evidence is malformed or a proof fails. */
    BAD_ATTESTATION
  }

  private final Kind kind;

  AttestationException(Kind kind, String reason) {
    super(reason);
    this.kind = kind;
  }

  static AttestationException bad(String reason) {
    return new AttestationException(Kind.BAD_ATTESTATION, reason);
  }

  public Kind kind() {
    return kind;
  }

  /** The reason, as the reply names it. */
  public String reason() {
    return getMessage();
  }
}
