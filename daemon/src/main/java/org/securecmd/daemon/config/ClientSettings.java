package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code [clients]}: how devices authenticate and who may connect at all.
 *
 * @param ca the CA bundle that issues device certificates; {@code null} only when auth is NONE
 * @param crl a file of one or more CRLs (PEM blocks, or one DER CRL), or {@code null}
 * @param allow identity patterns allowed to connect; they match certified clients only; empty allows nobody
 * @param allowAnonymous whether clients without a certificate may connect (only with auth OPTIONAL or NONE)
 */
public record ClientSettings(ClientAuthMode auth, Path ca, Path crl, List<String> allow, boolean allowAnonymous) {
  public ClientSettings {
    allow = List.copyOf(allow);
    if (auth != ClientAuthMode.NONE && ca == null) throw new IllegalArgumentException("client auth needs a CA");
  }
}
