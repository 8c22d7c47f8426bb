package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code [tls]}: the server's own chain and key, the protocol versions offered, how long a TLS session
 * (a TLS 1.3 ticket) may be resumed, and how many sessions the server keeps for resumption.
 */
public record TlsSettings(Path certificate, Path privateKey, List<String> protocols, Duration sessionTimeout,
                          int sessionCacheSize) {
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  public TlsSettings {
    protocols = List.copyOf(protocols);
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new IllegalArgumentException("sessionTimeout must be positive: " + sessionTimeout);
    }
    if (sessionCacheSize < 1) throw new IllegalArgumentException("sessionCacheSize must be positive: " + sessionCacheSize);
  }

  static TlsSettings read(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("certificate", "private_key", "protocols", "session_timeout", "session_cache_size"));
    Path certificate = r.requiredPath("certificate", "/etc/securecmd/server.crt", "a certificate file is required");
    Path key = r.requiredPath("private_key", "/etc/securecmd/server.key", "a private key file is required");
    List<String> protocols = r.strings("protocols", List.of("TLSv1.3"));
    if (protocols.isEmpty()) throw r.error("protocols", "[]", "at least one protocol is required: \"TLSv1.3\"");
    for (String p : protocols) {
      if (!PROTOCOLS.contains(p)) throw r.error("protocols", TableReader.quoted(p), "expected " + TableReader.oneOf(PROTOCOLS));
    }
    // JSSE's default is 24 h; a shorter life bounds how long a resumed session skips the trust manager.
    // 7 days is TLS 1.3's ceiling for a ticket's lifetime (RFC 8446, 4.6.1).
    Duration sessionTimeout = r.duration("session_timeout", Duration.ofHours(1), Duration.ofSeconds(1),
        Duration.ofDays(7));
    // JSSE's default size; a cached session costs about 1 KiB, and a device whose session fell out of the cache
    // makes a full handshake instead of a resumed one.
    int sessionCacheSize = (int) r.integer("session_cache_size", 20_480, 1, 10_000_000);
    return new TlsSettings(certificate, key, protocols, sessionTimeout, sessionCacheSize);
  }
}
