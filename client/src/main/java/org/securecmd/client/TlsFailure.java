package org.securecmd.client;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;

/**
 * Turns JSSE's exceptions into the name of the check that failed. JSSE reports these as messages only,
 * so this matches on their text; anything unrecognised keeps JSSE's own message.
 */
final class TlsFailure {
  private TlsFailure() {}

  static String describe(Throwable e, String host) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException) return "server certificate expired";
      if (t instanceof CertificateNotYetValidException) return "server certificate not yet valid";
      String m = String.valueOf(t.getMessage());
      if (m.contains("No subject alternative names matching IP address")
          || m.contains("No subject alternative names present")) {
        return "IP address mismatch: the server certificate is not valid for " + host;
      }
      if (m.contains("No subject alternative DNS name matching") || m.contains("No name matching")) {
        return "host name mismatch: the server certificate is not valid for " + host;
      }
      if (m.contains("PKIX path building failed") || m.contains("unable to find valid certification path")
          || m.contains("no trusted certificates configured")) {
        return "unknown CA: the server certificate is not signed by a trusted CA";
      }
      if (m.contains("PKIX path validation failed")) return "server certificate rejected: " + rootMessage(t);
      if (m.contains("certificate_required")) return "client certificate required by the server";
      if (m.contains("bad_certificate") || m.contains("certificate_unknown") || m.contains("unknown_ca")) {
        return "client certificate rejected by the server (unknown CA, expired or invalid)";
      }
      if (m.contains("certificate_expired")) return "client certificate rejected by the server: expired";
      if (m.contains("certificate_revoked")) return "client certificate rejected by the server: revoked";
      if (m.contains("protocol_version") || m.contains("No appropriate protocol")) {
        return "no common TLS protocol version with the server";
      }
      if (m.contains("handshake_failure")) return "TLS handshake failure (no common cipher or key type)";
    }
    return "TLS handshake failed: " + rootMessage(e);
  }

  /** True when a failure on read or write is the peer's TLS alert rather than a network fault. */
  static boolean isTlsAlert(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException) return true;
      if (String.valueOf(t.getMessage()).contains("Received fatal alert")) return true;
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) t = t.getCause();
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
