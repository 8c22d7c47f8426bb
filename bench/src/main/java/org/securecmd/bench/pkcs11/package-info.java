/**
 * {@link org.securecmd.bench.pkcs11.Pkcs11Bench}: signatures and handshakes per second with the device key
 * in a file, SoftHSM2 and swtpm (bench/pkcs11-bench.sh).
 */
package org.securecmd.bench.pkcs11;
