package org.securecmd.daemon.audit;

import org.securecmd.daemon.auth.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit lines as {@code key=value} pairs so that journalctl output can be grepped and parsed.
 * Values a peer controls are escaped ({@link LogText}); reply texts are never written, so no secret reaches the log.
 */
public final class AuditLog {
  private static final Logger audit = LoggerFactory.getLogger("securecmd.audit");
  private final Metrics metrics;

  public AuditLog(Metrics metrics) {
    this.metrics = metrics;
  }

  public void request(AuditEvent e) {
    metrics.request(e.verb(), e.result(), e.micros());
    audit.info("request conn={} client={} remote={} verb={} result={} ms={}", e.connection(), escape(e.client()),
        e.remote(), escape(e.verb()), e.result(), millis(e.micros()));
  }

  /**
   * Microseconds as milliseconds with one decimal, rounded half up ("0.3"): what {@code %.1f} printed, without
   * a Formatter per request (it showed in a profile of the request path) and with a '.' in every locale.
   */
  static String millis(long micros) {
    long tenths = (Math.max(0, micros) + 50) / 100;
    return (tenths / 10) + "." + (tenths % 10);
  }

  /** A handshake that failed: the peer never got to send a request. */
  public void handshakeRefused(long connection, String remote, String reason) {
    metrics.handshakeFailed(reason);
    audit.info("handshake-refused conn={} remote={} reason=\"{}\"", connection, remote, escapeQuoted(reason));
  }

  /**
   * A connection whose identity is refused by policy (allow list, CRL, deny list, validity): after its
   * handshake, or later when a policy change re-checked it.
   */
  public void connectionRefused(long connection, String client, String remote, String reason) {
    connectionRefused(connection, client, remote, Metrics.refusalKey(reason), reason);
  }

  /** As above, counted under {@code key} ({@code identity_limit}, {@code max_connection_age}, ...). */
  public void connectionRefused(long connection, String client, String remote, String key, String reason) {
    metrics.refused(key);
    audit.info("connection-refused conn={} client={} remote={} reason=\"{}\"", connection, escape(client), remote,
        escapeQuoted(reason));
  }

  /** A PROXY v2 header refused (or required and missing): the connection never reached TLS. */
  public void proxyRefused(long connection, String remote, String reason, String message) {
    metrics.proxy().refused(reason);
    audit.info("proxy-refused conn={} remote={} reason=\"{}\"", connection, remote, escapeQuoted(message));
  }

  /** A balancer's health check (PROXY v2 LOCAL): counted, not audited, since nothing was asked of the daemon. */
  public void proxyHealthCheck() {
    metrics.proxy().healthCheck();
  }

  /** A connection closed because a request line ({@code request}) or a reply write ({@code write}) took too long. */
  public void timedOut(long connection, String client, String remote, String kind) {
    metrics.timedOut(kind);
    audit.info("timeout conn={} client={} remote={} kind={}", connection, escape(client), remote, kind);
  }

  /** Counts a completed handshake, before policy decides whether the peer may stay. */
  public void handshakeCompleted(boolean resumed) {
    metrics.handshakeOk(resumed);
  }

  public void connectionAccepted(long connection, String client, String remote, String protocol, boolean resumed) {
    audit.info("connected conn={} client={} remote={} protocol={} resumed={}", connection, escape(client), remote,
        protocol, resumed);
  }

  /** Peer-controlled text, made safe for one log line: no control characters, no spaces, bounded. */
  static String escape(String s) {
    return LogText.token(s);
  }

  /** Like {@link #escape(String)} but keeps spaces, for values written inside quotes ({@code reason="..."}). */
  static String escapeQuoted(String s) {
    return LogText.quoted(s);
  }
}
