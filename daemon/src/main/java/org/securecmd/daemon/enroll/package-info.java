/**
 * {@code RENEW}: a connected device asks for a successor of its own certificate. The CSR checks, the renewal
 * policy (who, when, how often), issuing through the CA code shared with {@code securecmd-pki}, the
 * issuance record, and revoking a rekeyed device's old serial once its new certificate is in use.
 */
package org.securecmd.daemon.enroll;
