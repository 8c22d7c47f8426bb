package org.securecmd.daemon.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.securecmd.daemon.audit.Metrics;
import org.securecmd.tls.TestPki;

class PrometheusTextTest {
  @Test
  void parkedConnectionsAreAGauge() {
    String text = PrometheusText.parked(3);
    assertTrue(text.contains("# TYPE securecmd_connections_parked gauge\nsecurecmd_connections_parked 3\n"), text);
  }

  @Test
  void rendersCountersGaugesAndCumulativeHistogram() {
    long[] buckets = new long[Metrics.Snapshot.bucketBoundsMicros().length + 1];
    buckets[0] = 2;  // <= 100 µs
    buckets[3] = 1;  // <= 1 ms
    buckets[buckets.length - 1] = 1;  // > 1 s
    Metrics.Snapshot s = new Metrics.Snapshot(10, 1, 5, 2, 1, Map.of("timeout", 3L),
        Map.of("GET_SECRET OK", 3L, "_other UNKNOWN_COMMAND", 1L), buckets, 2_000_450,
        new java.util.TreeMap<>(Map.of("address_limit", 1L, "revoked", 2L)), Map.of("request", 4L));
    String text = PrometheusText.render(s, 4, 7, 2, LastReload.succeeded(Instant.ofEpochSecond(1_764_580_000)));
    for (String expected : new String[] {
        "# TYPE securecmd_connections_open gauge\nsecurecmd_connections_open 4\n",
        "# TYPE securecmd_connections_accepted_total counter\nsecurecmd_connections_accepted_total 10\n",
        "securecmd_connections_refused_busy_total 1\n",
        "securecmd_connections_refused_total{reason=\"address_limit\"} 1\n"
            + "securecmd_connections_refused_total{reason=\"revoked\"} 2\n",
        "# TYPE securecmd_timeouts_total counter\nsecurecmd_timeouts_total{kind=\"request\"} 4\n",
        "securecmd_handshakes_total{resumed=\"false\"} 5\nsecurecmd_handshakes_total{resumed=\"true\"} 2\n",
        "securecmd_handshake_failures_total{reason=\"timeout\"} 3\n",
        "securecmd_requests_total{command=\"GET_SECRET\",result=\"OK\"} 3\n",
        "securecmd_requests_total{command=\"_other\",result=\"UNKNOWN_COMMAND\"} 1\n",
        "# TYPE securecmd_request_duration_seconds histogram\n"
            + "securecmd_request_duration_seconds_bucket{le=\"0.0001\"} 2\n"
            + "securecmd_request_duration_seconds_bucket{le=\"0.00025\"} 2\n"
            + "securecmd_request_duration_seconds_bucket{le=\"0.0005\"} 2\n"
            + "securecmd_request_duration_seconds_bucket{le=\"0.001\"} 3\n",
        "securecmd_request_duration_seconds_bucket{le=\"1.0\"} 3\n"
            + "securecmd_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"
            + "securecmd_request_duration_seconds_sum 2.00045\n"
            + "securecmd_request_duration_seconds_count 4\n",
        "securecmd_generation 7\n",
        "securecmd_deny_list_entries 2\n",
        "# TYPE securecmd_last_reload_success gauge\nsecurecmd_last_reload_success 1\n",
        "# TYPE securecmd_last_reload_timestamp_seconds gauge\nsecurecmd_last_reload_timestamp_seconds 1764580000\n"}) {
      assertTrue(text.contains(expected), "missing\n" + expected + "in\n" + text);
    }
    assertTrue(text.endsWith("\n"));
  }

  @Test
  void capacityAndSecondsUntilEachCertificateExpiresOneSeriesPerCaName() {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    TestPki fleet = new TestPki("Fleet");
    TestPki other = new TestPki("Other");
    TestPki.Issued server = fleet.issue(TestPki.spec("server").serverAuth()
        .validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(10))));
    X509Certificate fleetRoot = fleet.rootCertificate();
    X509Certificate intermediate = fleet.intermediate().certificate();
    X509Certificate otherRoot = other.rootCertificate();
    TestPki.Issued expiredCa = new TestPki("Fleet").issue(TestPki.spec("Fleet Root CA")
        .validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofHours(1))));
    String text = PrometheusText.capacityAndExpiry(500, server.certificate(),
        List.of(fleetRoot, intermediate, otherRoot, expiredCa.certificate()), now);
    assertTrue(text.contains("# TYPE securecmd_max_connections gauge\nsecurecmd_max_connections 500\n"), text);
    assertTrue(text.contains("# TYPE securecmd_server_certificate_expiry_seconds gauge\n"
        + "securecmd_server_certificate_expiry_seconds " + Duration.ofDays(10).toSeconds() + "\n"), text);
    // two CAs named "Fleet Root CA": one series, the one that expires first (here: already expired)
    assertTrue(text.contains("securecmd_client_ca_expiry_seconds{ca=\"Fleet Root CA\"} -3600\n"), text);
    assertEquals(1, text.lines().filter(l -> l.contains("ca=\"Fleet Root CA\"")).count(), text);
    assertTrue(text.contains("securecmd_client_ca_expiry_seconds{ca=\"Fleet Intermediate CA\"} "
        + Duration.between(now, intermediate.getNotAfter().toInstant()).toSeconds() + "\n"), text);
    assertTrue(text.contains("securecmd_client_ca_expiry_seconds{ca=\"Other Root CA\"} "), text);
  }

  @Test
  void refusedReloadIsZeroWithItsTime() {
    Metrics.Snapshot s = new Metrics().snapshot();
    String text = PrometheusText.render(s, 0, 1, 0, LastReload.failed(Instant.ofEpochSecond(42), "config.toml:3: bad"));
    assertTrue(text.contains("securecmd_last_reload_success 0\n"), text);
    assertTrue(text.contains("securecmd_last_reload_timestamp_seconds 42\n"), text);
    assertTrue(!text.contains("config.toml"), "no error text in a metric: " + text);
  }

  @Test
  void stateGaugesSayDegradedAndTheLastSyncTime() {
    String text = PrometheusText.state(new org.securecmd.daemon.state.StateHealth("postgresql", true,
        java.util.Optional.of(Instant.ofEpochSecond(1_764_580_000)), 2, "unreachable"));
    assertEquals("# HELP securecmd_state_degraded 1 when the shared state store is unreachable and this host serves"
        + " its last-known deny list.\n# TYPE securecmd_state_degraded gauge\nsecurecmd_state_degraded 1\n"
        + "# HELP securecmd_state_last_sync_timestamp_seconds When the deny list was last read from or written to"
        + " the state store (Unix time).\n# TYPE securecmd_state_last_sync_timestamp_seconds gauge\n"
        + "securecmd_state_last_sync_timestamp_seconds 1764580000\n", text);
    assertTrue(PrometheusText.state(new org.securecmd.daemon.state.StateHealth("file", false,
        java.util.Optional.empty(), 0, "")).endsWith("securecmd_state_degraded 0\n# HELP "
        + "securecmd_state_last_sync_timestamp_seconds When the deny list was last read from or written to the state "
        + "store (Unix time).\n# TYPE securecmd_state_last_sync_timestamp_seconds gauge\n"
        + "securecmd_state_last_sync_timestamp_seconds 0\n"));
  }

  @Test
  void labelValuesAreEscaped() {
    assertEquals("a\\\\b\\\"c\\nd", PrometheusText.label("a\\b\"c\nd"));
  }

  @Test
  void rendersProxyCountersAndTheCrlState() {
    java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");
    org.securecmd.daemon.audit.CrlHealth.Status crl = new org.securecmd.daemon.audit.CrlHealth.Status(true, true, "",
        now, java.util.List.of(
            crl("Fleet \"A\" CA", 1, now.minusSeconds(60), now.plusSeconds(3600)),
            crl("Old CA", 1, now.minusSeconds(120), now.minusSeconds(60)),
            crl("No Next CA", 1, now.minusSeconds(60), null)));
    String text = PrometheusText.renderFleet(new org.securecmd.daemon.audit.ProxyCounters.Snapshot(12,
        Map.of("missing", 2L, "not_listed", 1L)), crl.failed("bad file"), now);
    for (String expected : new String[] {
        "# TYPE securecmd_proxy_health_checks_total counter\nsecurecmd_proxy_health_checks_total 12\n",
        "securecmd_proxy_header_refused_total{reason=\"missing\"} 2\n",
        "securecmd_proxy_header_refused_total{reason=\"not_listed\"} 1\n",
        "# TYPE securecmd_crl_next_update_seconds gauge\n",
        "securecmd_crl_next_update_seconds{issuer=\"Fleet \\\"A\\\" CA\"} 3600\n",
        "securecmd_crl_next_update_seconds{issuer=\"Old CA\"} -60\n",
        "# TYPE securecmd_crl_last_load_success gauge\nsecurecmd_crl_last_load_success 0\n"}) {
      assertTrue(text.contains(expected), "missing\n" + expected + "in\n" + text);
    }
    assertTrue(!text.contains("No Next CA"), text);
    String none = PrometheusText.renderFleet(new org.securecmd.daemon.audit.ProxyCounters.Snapshot(0, Map.of()),
        org.securecmd.daemon.audit.CrlHealth.Status.NONE, now);
    assertTrue(!none.contains("securecmd_crl_"), "no CRL configured, no CRL series: " + none);
  }

  private static org.securecmd.daemon.audit.CrlHealth.Crl crl(String issuer, long number, java.time.Instant thisUpdate,
                                                              java.time.Instant nextUpdate) {
    return new org.securecmd.daemon.audit.CrlHealth.Crl(issuer,
        number < 0 ? java.util.Optional.empty() : java.util.Optional.of(java.math.BigInteger.valueOf(number)),
        thisUpdate, java.util.Optional.ofNullable(nextUpdate));
  }

  @Test
  void anIssuerWithAnOldAndANewCrlInOneBundleHasOneSeriesForTheHighestCrlNumber() {
    java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");
    org.securecmd.daemon.audit.CrlHealth.Status crl = new org.securecmd.daemon.audit.CrlHealth.Status(true, true, "",
        now, java.util.List.of(
            crl("Fleet CA", 7, now.minusSeconds(3600), now.minusSeconds(60)),      // the old CRL, first in the file
            crl("Root CA", -1, now.minusSeconds(3600), now.plusSeconds(100)),
            crl("Fleet CA", 9, now.minusSeconds(1800), now.plusSeconds(7200)),     // the newest
            crl("Fleet CA", 8, now.minusSeconds(60), now.plusSeconds(50)),         // later thisUpdate, lower number
            crl("Root CA", -1, now.minusSeconds(60), now.plusSeconds(200))));      // no numbers: the latest thisUpdate
    String text = PrometheusText.renderFleet(new org.securecmd.daemon.audit.ProxyCounters.Snapshot(0, Map.of()), crl,
        now);
    java.util.List<String> series = text.lines().filter(l -> l.startsWith("securecmd_crl_next_update_seconds{")).toList();
    assertEquals(java.util.List.of("securecmd_crl_next_update_seconds{issuer=\"Fleet CA\"} 7200",
        "securecmd_crl_next_update_seconds{issuer=\"Root CA\"} 200"), series, text);
  }
}
