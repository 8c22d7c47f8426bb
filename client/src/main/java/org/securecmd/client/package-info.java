/**
 * The device-side library: connect once (TLS 1.3, server checked against the CA and the host name or IP),
 * send several commands, close. {@link org.securecmd.client.ClientException} says which check failed.
 * {@link org.securecmd.client.TpmEnrollment} is a device's TPM-attested enrollment (ENROLL, ENROLL-PROOF) with
 * the device's TPM through {@code org.securecmd.tpm}; {@link org.securecmd.client.EnrollmentException} is a
 * refusal or a reply that fails its checks. {@link org.securecmd.client.TpmRekey} is the attested RENEW of such
 * a device: a new TPM key certified by its AK over a NONCE.
 */
package org.securecmd.client;
