package org.securecmd.pki.device;

import org.securecmd.tls.SoftHsm;

/**
 * Every SoftHSM2 token the pki tests use, made once per JVM before any test loads the module: SoftHSM reads
 * its token list when the module is first loaded, so a token made later is invisible to the whole run.
 */
final class SoftHsmTokens {
  static final String PIN = "1234";
  private static boolean made;

  private SoftHsmTokens() {}

  static synchronized void ensure() throws Exception {
    if (made) return;
    for (String label : new String[] {"dev-hsm-1", "dev-hsm-2", "dev-renew", "issuing-hsm"}) {
      SoftHsm.initToken(label, PIN);
    }
    made = true;
  }
}
