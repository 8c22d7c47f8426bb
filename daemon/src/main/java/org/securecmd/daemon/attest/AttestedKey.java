package org.securecmd.daemon.attest;

import java.security.PublicKey;

/**
 * A TLS key proven by TPM2_Certify to live in the AK's TPM, and the CSR that carries it.
 *
 * @param publicKey the key (the CSR's, which equals the certified public area's)
 * @param keyName the key's TPM Name (nameAlg || digest), for the issuance record
 * @param csrCommonName the CSR's subject CN or null; informational only (the name issued is the registered one)
 */
public record AttestedKey(PublicKey publicKey, byte[] keyName, String csrCommonName) {}
