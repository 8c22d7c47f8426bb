/**
 * The {@code securecmd-client} command: arguments (over the {@code client.properties} file) to the client
 * library, the reply to stdout, and one exit code per kind of failure (0 ok, 1 ERR reply, 2 usage,
 * 3 TLS/certificate/TPM/token, 4 network). {@code renew} renews the device certificate; {@code enroll} gets a
 * device without a certificate its first one by TPM attestation and links the TPM key into its tpm2-pkcs11
 * token with {@code tpm2_ptool} (a child process: the client stays JDK-only).
 */
package org.securecmd.client.cli;
