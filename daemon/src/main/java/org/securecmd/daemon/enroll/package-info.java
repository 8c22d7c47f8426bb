/**
 * {@code RENEW}: a connected device asks for a successor of its own certificate. The CSR checks, the renewal
 * policy (who, when, how often, how long), issuing through the CA code shared with {@code securecmd-pki}, the
 * issuance record, revoking a rekeyed device's old serial once its new certificate is in use, and an earlier
 * successor of the same certificate at once. And TPM-attested enrollment ({@code ENROLL}, {@code ENROLL-PROOF},
 * the attested form of {@code RENEW}): the policy around {@code attest}'s verdicts (registration, approval,
 * revocation, allow list) and issuing a certificate with the attested-key extension.
 */
package org.securecmd.daemon.enroll;
