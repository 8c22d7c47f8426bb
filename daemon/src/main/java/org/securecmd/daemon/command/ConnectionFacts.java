package org.securecmd.daemon.command;

/**
 * What one connection has proved beyond its certificate, as one immutable value. The connection holds it in
 * one reference that its requests share ({@link Call#facts}); a verb that establishes a fact replaces the
 * value as a whole, so a handler never sees half of a change. Attestation will add its facts here (a
 * verified TPM quote and when it expires, whether the certificate is TPM-attested); today a connection
 * proves nothing beyond its certificate, which is {@link #NONE}.
 */
public record ConnectionFacts() {
  /** A connection that proved nothing beyond its certificate: every connection starts with it. */
  public static final ConnectionFacts NONE = new ConnectionFacts();
}
