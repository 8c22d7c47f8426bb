/**
 * The device side of provisioning: a key generated inside a PKCS#11 token (TPM or HSM), a CSR signed by
 * that key in the token, and installing the issued certificate next to the key so SunPKCS11 finds it.
 */
package org.securecmd.pki.device;
