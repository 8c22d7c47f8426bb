package org.securecmd.daemon.attest;

/**
 * The guard on the server's own nonces: a verifier given an empty nonce would accept evidence whose
 * extraData is empty too, so that is a programming error, not a refusal. (The server's nonces are 32 random
 * bytes; tests also use tpm2_certify's fixed 4-byte extraData, so only emptiness is refused here.)
 */
final class Nonces {
  private Nonces() {}

  static void check(byte[] nonce) {
    if (nonce == null || nonce.length == 0) throw new IllegalArgumentException("the server nonce is empty");
  }
}
