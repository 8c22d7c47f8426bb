/**
 * TLS material as files hold it and as JSSE wants it: PEM certificates and keys (PKCS#8, SEC1, PKCS#1),
 * {@link org.securecmd.tls.CertifiedKey} ("what I am") and {@link org.securecmd.tls.HandshakeSetup}
 * ("what I present, whom I trust"), and {@link org.securecmd.tls.Pkcs11Token} for keys that stay inside a
 * PKCS#11 token (TPM, HSM) through the JDK's SunPKCS11, with {@link org.securecmd.tls.Pkcs11Options}, the
 * command-line options that name such a key and its PIN (shared by securecmd-client and securecmd-pki).
 * No policy and no reloading live here.
 */
package org.securecmd.tls;
