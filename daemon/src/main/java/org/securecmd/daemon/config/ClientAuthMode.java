package org.securecmd.daemon.config;

/** {@code [clients] auth}: whether devices must present a certificate. */
public enum ClientAuthMode {
  REQUIRED, OPTIONAL, NONE;

  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
