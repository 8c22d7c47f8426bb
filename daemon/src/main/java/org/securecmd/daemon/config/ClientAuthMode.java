package org.securecmd.daemon.config;

/** {@code [clients] auth}: whether devices must present a certificate. */
public enum ClientAuthMode {
  REQUIRED, OPTIONAL, NONE
}
