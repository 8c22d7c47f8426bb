/**
 * TPM evidence: EK certificate chains, MakeCredential, TPM2_Certify and TPM2_Quote structures, and the
 * checks of the enrollment ({@code ENROLL}, {@code ENROLL-PROOF}) and state ({@code QUOTE}) verbs. Bytes and
 * records in, verdicts out: no sockets, no config parsing, no state. Every refusal is an
 * {@link org.securecmd.daemon.attest.AttestationException} whose message is the reason the reply names.
 *
 * <p>Entry points: {@link org.securecmd.daemon.attest.EkAuthority} (the {@code ek_ca} bundle),
 * {@link org.securecmd.daemon.attest.VerifiedEk} and
 * {@link org.securecmd.daemon.attest.EnrollmentChallenge} ({@code ENROLL}),
 * {@link org.securecmd.daemon.attest.CertifyVerifier} ({@code ENROLL-PROOF}, attested rekey),
 * {@link org.securecmd.daemon.attest.QuoteVerifier} and {@link org.securecmd.daemon.attest.PcrState}
 * ({@code QUOTE}).
 */
package org.securecmd.daemon.attest;
