package org.securecmd.daemon.admin;

import java.util.Locale;
import java.util.Map;
import java.time.Duration;
import java.time.Instant;
import org.securecmd.daemon.audit.CrlHealth;
import org.securecmd.daemon.audit.Metrics;
import org.securecmd.daemon.audit.ProxyCounters;

/**
 * Renders counters in the Prometheus text exposition format (version 0.0.4): connections, handshakes by
 * result and failure reason, requests by command and result, and the request latency histogram.
 */
final class PrometheusText {
  private final StringBuilder b = new StringBuilder();

  private PrometheusText() {}

  static String render(Metrics.Snapshot s, int openConnections, long generation, int denyListEntries) {
    PrometheusText p = new PrometheusText();
    p.gauge("securecmd_connections_open", "Connections open now.", openConnections);
    p.counter("securecmd_connections_accepted_total", "TCP connections accepted.", s.accepted());
    p.counter("securecmd_connections_refused_busy_total", "Connections refused because max_connections were open.",
        s.refusedBusy());
    p.counter("securecmd_connections_refused_total",
        "Connections refused after the handshake (allow list, CRL, deny list).", s.connectionsRefused());
    p.help("securecmd_handshakes_total", "counter", "TLS handshakes that completed.");
    p.sample("securecmd_handshakes_total{resumed=\"false\"}", s.handshakesFull());
    p.sample("securecmd_handshakes_total{resumed=\"true\"}", s.handshakesResumed());
    p.help("securecmd_handshake_failures_total", "counter", "TLS handshakes that failed, by reason.");
    s.handshakeFailures().forEach((reason, n) ->
        p.sample("securecmd_handshake_failures_total{reason=\"" + label(reason) + "\"}", n));
    p.help("securecmd_requests_total", "counter", "Requests by command and result (OK or the ERR code).");
    for (Map.Entry<String, Long> e : s.requests().entrySet()) {
      int sp = e.getKey().lastIndexOf(' ');
      String verb = sp < 0 ? e.getKey() : e.getKey().substring(0, sp);
      String result = sp < 0 ? "" : e.getKey().substring(sp + 1);
      p.sample("securecmd_requests_total{command=\"" + label(verb) + "\",result=\"" + label(result) + "\"}",
          e.getValue());
    }
    p.histogram(s);
    p.gauge("securecmd_generation", "Number of the configuration generation serving new connections.", generation);
    p.gauge("securecmd_deny_list_entries", "Entries on the operator's deny list.", denyListEntries);
    return p.b.toString();
  }

  /**
   * The several-hosts part: PROXY v2 health checks and refused headers, and the CRL file's state (seconds
   * until each CRL's nextUpdate, negative once past; whether the last load worked).
   */
  static String renderFleet(ProxyCounters.Snapshot proxy, CrlHealth.Status crl, Instant now) {
    PrometheusText p = new PrometheusText();
    p.counter("securecmd_proxy_health_checks_total",
        "Balancer health checks (PROXY v2 LOCAL headers), closed quietly.", proxy.healthChecks());
    p.help("securecmd_proxy_header_refused_total", "counter",
        "Connections refused before TLS for their PROXY v2 header (missing, malformed, not_listed, ...), by reason.");
    proxy.refused().forEach((reason, n) ->
        p.sample("securecmd_proxy_header_refused_total{reason=\"" + label(reason) + "\"}", n));
    if (crl.configured()) {
      p.help("securecmd_crl_next_update_seconds", "gauge",
          "Seconds until the CRL's nextUpdate (negative when past), by issuer CN.");
      for (CrlHealth.Crl c : crl.crls()) {
        c.nextUpdate().ifPresent(t -> p.sample("securecmd_crl_next_update_seconds{issuer=\"" + label(c.issuer())
            + "\"}", Duration.between(now, t).toSeconds()));
      }
      p.gauge("securecmd_crl_last_load_success", "1 when the last load of [clients] crl worked, else 0.",
          crl.lastLoadSucceeded() ? 1 : 0);
    }
    return p.b.toString();
  }

  private void histogram(Metrics.Snapshot s) {
    String name = "securecmd_request_duration_seconds";
    help(name, "histogram", "Time from reading a request to writing its reply.");
    long[] bounds = Metrics.Snapshot.bucketBoundsMicros();
    long cumulative = 0;
    for (int i = 0; i < bounds.length; i++) {
      cumulative += s.latencyBuckets()[i];
      sample(name + "_bucket{le=\"" + seconds(bounds[i]) + "\"}", cumulative);
    }
    cumulative += s.latencyBuckets()[bounds.length];
    sample(name + "_bucket{le=\"+Inf\"}", cumulative);
    b.append(name).append("_sum ").append(seconds(s.latencySumMicros())).append('\n');
    sample(name + "_count", cumulative);
  }

  private void counter(String name, String help, long value) {
    help(name, "counter", help);
    sample(name, value);
  }

  private void gauge(String name, String help, long value) {
    help(name, "gauge", help);
    sample(name, value);
  }

  private void help(String name, String type, String help) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private void sample(String series, long value) {
    b.append(series).append(' ').append(value).append('\n');
  }

  private static String seconds(long micros) {
    return String.format(Locale.ROOT, "%.6f", micros / 1e6).replaceFirst("0+$", "").replaceFirst("\\.$", ".0");
  }

  /** Label values escape backslash, double quote and line feed, as the format requires. */
  static String label(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
