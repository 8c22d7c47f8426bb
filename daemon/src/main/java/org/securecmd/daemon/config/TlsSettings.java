package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.util.List;

/** {@code [tls]}: the server's own chain and key, and the protocol versions offered. */
public record TlsSettings(Path certificate, Path privateKey, List<String> protocols) {
  public TlsSettings {
    protocols = List.copyOf(protocols);
  }
}
