/**
 * Certificate issuing shared by {@code securecmd-pki} and the daemon's {@code RENEW}: BouncyCastle
 * certificate and CRL building ({@link org.securecmd.ca.Issuer}), checked certificate signing requests
 * ({@link org.securecmd.ca.SigningRequest}) and the CA directory's append-only {@code index.txt}.
 */
package org.securecmd.ca;
