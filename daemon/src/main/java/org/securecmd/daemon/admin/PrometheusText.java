package org.securecmd.daemon.admin;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.securecmd.daemon.audit.CrlHealth;
import org.securecmd.daemon.audit.Metrics;
import org.securecmd.daemon.audit.ProxyCounters;
import org.securecmd.daemon.state.StateHealth;

/**
 * Renders counters in the Prometheus text exposition format (version 0.0.4): connections, handshakes by
 * result and failure reason, requests by command and result, and the request latency histogram.
 */
final class PrometheusText {
  private final StringBuilder b = new StringBuilder();

  private PrometheusText() {}

  /** Connections that wait for their next request without a thread (the server's idle selector). */
  static String parked(int parkedConnections) {
    PrometheusText p = new PrometheusText();
    p.gauge("securecmd_connections_parked", "Open connections waiting idle for a request, without a thread.",
        parkedConnections);
    return p.b.toString();
  }

  static String render(Metrics.Snapshot s, int openConnections, long generation, int denyListEntries,
                       LastReload reload) {
    PrometheusText p = new PrometheusText();
    p.gauge("securecmd_connections_open", "Connections open now.", openConnections);
    p.counter("securecmd_connections_accepted_total", "TCP connections accepted.", s.accepted());
    p.counter("securecmd_connections_refused_busy_total", "Connections refused because max_connections were open.",
        s.refusedBusy());
    p.help("securecmd_connections_refused_total", "counter", "Connections refused or closed by a decision, by reason "
        + "(revoked, policy, identity_limit, address_limit, max_connection_age).");
    s.refusedByReason().forEach((reason, n) ->
        p.sample("securecmd_connections_refused_total{reason=\"" + label(reason) + "\"}", n));
    p.help("securecmd_timeouts_total", "counter", "Connections closed because a request or a reply took too long.");
    s.timeouts().forEach((kind, n) -> p.sample("securecmd_timeouts_total{kind=\"" + label(kind) + "\"}", n));
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
    p.gauge("securecmd_last_reload_success",
        "1 if the latest reload (or, before any, the start) installed its configuration, 0 if it was refused.",
        reload.success() ? 1 : 0);
    p.gauge("securecmd_last_reload_timestamp_seconds", "Unix time of the latest reload, or of the start before any.",
        reload.at().getEpochSecond());
    return p.b.toString();
  }

  /** {@code securecmd_renewals_*} and {@code securecmd_devices_due_for_renewal}. */
  static String renewals(org.securecmd.daemon.audit.RenewalMetrics r) {
    PrometheusText p = new PrometheusText();
    p.counter("securecmd_renewals_issued_total", "Certificates issued by RENEW.", r.issuedCount());
    p.help("securecmd_renewals_refused_total", "counter", "RENEW requests refused, by reason.");
    r.refusedCounts().forEach((reason, n) ->
        p.sample("securecmd_renewals_refused_total{reason=\"" + label(reason) + "\"}", n));
    p.gauge("securecmd_devices_due_for_renewal",
        "Connected devices whose certificate expires within [enrollment] renew_before.", r.devicesDue());
    return p.b.toString();
  }

  /** {@code securecmd_enrollments_*}: TPM-attested enrollment since start. */
  static String enrollments(org.securecmd.daemon.audit.EnrollmentMetrics e) {
    PrometheusText p = new PrometheusText();
    p.counter("securecmd_enrollments_total", "Certificates issued by TPM-attested enrollment (ENROLL-PROOF).",
        e.enrolledCount());
    p.counter("securecmd_enrollments_pending_total", "Enrollment proofs that held and now wait for approval.",
        e.pendingCount());
    p.help("securecmd_enrollments_refused_total", "counter", "Enrollment steps refused, by reason.");
    e.refusedCounts().forEach((reason, n) ->
        p.sample("securecmd_enrollments_refused_total{reason=\"" + label(reason) + "\"}", n));
    return p.b.toString();
  }

  /** {@code securecmd_attestation_total{state, result}}: {@code QUOTE} verdicts since start. */
  static String attestation(org.securecmd.daemon.audit.AttestationMetrics a) {
    PrometheusText p = new PrometheusText();
    p.help("securecmd_attestation_total", "counter", "QUOTE verdicts: attested (per state satisfied), "
        + "state_mismatch, bad_attestation, failed.");
    a.counts().forEach((k, n) -> p.sample("securecmd_attestation_total{state=\"" + label(k.state()) + "\",result=\""
        + label(k.result()) + "\"}", n));
    return p.b.toString();
  }

  /** The state store's two gauges: degraded or not, and when the deny list was last synchronised. */
  static String state(StateHealth h) {
    PrometheusText p = new PrometheusText();
    p.gauge("securecmd_state_degraded", "1 when the shared state store is unreachable and this host serves its "
        + "last-known deny list.", h.degraded() ? 1 : 0);
    p.gauge("securecmd_state_last_sync_timestamp_seconds", "When the deny list was last read from or written to the "
        + "state store (Unix time).", h.lastSync().map(Instant::getEpochSecond).orElse(0L));
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
          "Seconds until the CRL's nextUpdate (negative when past), by issuer CN: the newest CRL of each.");
      for (CrlHealth.Crl c : crl.newestPerIssuer()) {
        c.nextUpdate().ifPresent(t -> p.sample("securecmd_crl_next_update_seconds{issuer=\"" + label(c.issuer())
            + "\"}", Duration.between(now, t).toSeconds()));
      }
      p.gauge("securecmd_crl_last_load_success", "1 when the last load of [clients] crl worked, else 0.",
          crl.lastLoadSucceeded() ? 1 : 0);
    }
    return p.b.toString();
  }

  /**
   * What an operator alerts on besides the counters: capacity ({@code max_connections}, in effect since
   * start), and the seconds until the server certificate and each client CA expire (negative once past).
   * CAs are labelled by their CN (the full subject when there is none); two CAs with one CN give one
   * series, the sooner expiry, since a duplicate series would fail the whole scrape.
   */
  static String capacityAndExpiry(int maxConnections, X509Certificate serverLeaf, List<X509Certificate> clientCas,
                                  Instant now) {
    PrometheusText p = new PrometheusText();
    p.gauge("securecmd_max_connections", "Connections the daemon accepts at once ([server] max_connections).",
        maxConnections);
    p.gauge("securecmd_server_certificate_expiry_seconds",
        "Seconds until the server certificate's notAfter (negative once expired).", secondsLeft(serverLeaf, now));
    Map<String, Long> cas = new TreeMap<>();
    for (X509Certificate ca : clientCas) cas.merge(commonName(ca), secondsLeft(ca, now), Math::min);
    p.help("securecmd_client_ca_expiry_seconds", "gauge",
        "Seconds until each client CA certificate's notAfter (negative once expired), by CA common name.");
    cas.forEach((cn, left) -> p.sample("securecmd_client_ca_expiry_seconds{ca=\"" + label(cn) + "\"}", left));
    return p.b.toString();
  }

  private static long secondsLeft(X509Certificate c, Instant now) {
    return Duration.between(now, c.getNotAfter().toInstant()).toSeconds();
  }

  static String commonName(X509Certificate c) {
    String dn = c.getSubjectX500Principal().getName();
    try {
      for (Rdn rdn : new LdapName(dn).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) return String.valueOf(rdn.getValue());
      }
    } catch (InvalidNameException e) {
      // an RFC 2253 name from the JDK always parses; fall back to the whole subject anyway
    }
    return dn;
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
