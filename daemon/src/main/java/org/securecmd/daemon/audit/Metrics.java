package org.securecmd.daemon.audit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Counters since start, shared by every generation. Keys a peer chooses (verbs) are folded to
 * {@code _other} unless the table knows them, so a scanner cannot grow the map without bound.
 */
public final class Metrics {
  /** Upper bounds of the latency histogram, in microseconds. */
  static final long[] BUCKETS_MICROS = {100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 100_000, 1_000_000};

  private final LongAdder accepted = new LongAdder();
  private final LongAdder refusedBusy = new LongAdder();
  private final LongAdder handshakesFull = new LongAdder();
  private final LongAdder handshakesResumed = new LongAdder();
  private final LongAdder connectionsRefused = new LongAdder();
  private final Map<String, LongAdder> refusedByReason = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> timeouts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> handshakeFailures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final LongAdder[] latency = new LongAdder[BUCKETS_MICROS.length + 1];
  private final LongAdder latencySumMicros = new LongAdder();
  private volatile Predicate<String> knownVerb = v -> false;
  private final RenewalMetrics renewals = new RenewalMetrics();
  private final EnrollmentMetrics enrollments = new EnrollmentMetrics();
  private final ProxyCounters proxy = new ProxyCounters();
  private final CrlHealth crl = new CrlHealth();

  public Metrics() {
    for (int i = 0; i < latency.length; i++) latency[i] = new LongAdder();
  }

  /** Which verbs get their own counter; set when a generation is installed. */
  public void knownVerbs(Predicate<String> known) {
    this.knownVerb = known;
  }

  public void accepted() {
    accepted.increment();
  }

  public void refusedBusy() {
    refusedBusy.increment();
  }

  void handshakeOk(boolean resumed) {
    (resumed ? handshakesResumed : handshakesFull).increment();
  }

  void handshakeFailed(String reason) {
    handshakeFailures.computeIfAbsent(reasonKey(reason), k -> new LongAdder()).increment();
  }

  /**
   * A connection refused or ended by a decision, by reason: {@code revoked}, {@code policy},
   * {@code identity_limit}, {@code address_limit}, {@code max_connection_age} or {@code enrollment_limit} (the
   * callers' fixed words).
   */
  public void refused(String reason) {
    connectionsRefused.increment();
    refusedByReason.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  /**
   * A connection closed because a request ({@code request}), a reply ({@code write}) or an enrollment step
   * ({@code step}) took too long.
   */
  void timedOut(String kind) {
    timeouts.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  /** A policy refusal's text folded to {@code revoked} (CRL, deny list) or {@code policy} (anything else). */
  static String refusalKey(String reason) {
    return reason.toLowerCase(java.util.Locale.ROOT).contains("revoked") ? "revoked" : "policy";
  }

  void request(String verb, String result, long micros) {
    String v = knownVerb.test(verb) ? verb : "_other";
    requests.computeIfAbsent(v + " " + result, k -> new LongAdder()).increment();
    int i = 0;
    while (i < BUCKETS_MICROS.length && micros > BUCKETS_MICROS[i]) i++;
    latency[i].increment();
    latencySumMicros.add(micros);
  }

  /** A small, fixed vocabulary of failure reasons, so the metric has bounded labels. */
  static String reasonKey(String reason) {
    String r = reason.toLowerCase(java.util.Locale.ROOT);
    if (r.contains("timed out") || r.contains("timeout")) return "timeout";
    if (r.contains("certificate_required") || r.contains("empty client certificate") || r.contains("no client certificate")) return "no_client_certificate";
    if (r.contains("pkix") || r.contains("certification path") || r.contains("unknown_ca")) return "untrusted_certificate";
    if (r.contains("expired")) return "expired_certificate";
    if (r.contains("plaintext") || r.contains("unrecognized ssl message") || r.contains("unsupported or unrecognized")) return "not_tls";
    if (r.contains("protocol") || r.contains("version")) return "protocol_version";
    if (r.contains("closed") || r.contains("eof") || r.contains("reset") || r.contains("broken pipe")
        || r.contains("terminated the handshake")) return "closed_by_peer";
    return "other";
  }

  /** The RENEW counters (kept apart: they are fed by the renewal policy, not by connections). */
  public RenewalMetrics renewals() {
    return renewals;
  }

  /** The TPM-attested enrollment counters (fed by the enrollment verbs and the enrollment caps). */
  public EnrollmentMetrics enrollments() {
    return enrollments;
  }

  /** PROXY v2 health checks and refused headers (kept apart from handshake failures: they are not TLS). */
  public ProxyCounters proxy() {
    return proxy;
  }

  /** The CRL file's load state, set by whoever loads it. */
  public CrlHealth crl() {
    return crl;
  }

  public long acceptedCount() {
    return accepted.sum();
  }

  public long requestCount() {
    return requests.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** A consistent-enough copy for rendering: totals by name. */
  public Snapshot snapshot() {
    Map<String, Long> failures = new TreeMap<>();
    handshakeFailures.forEach((k, v) -> failures.put(k, v.sum()));
    Map<String, Long> reqs = new TreeMap<>();
    requests.forEach((k, v) -> reqs.put(k, v.sum()));
    long[] buckets = new long[latency.length];
    for (int i = 0; i < latency.length; i++) buckets[i] = latency[i].sum();
    return new Snapshot(accepted.sum(), refusedBusy.sum(), handshakesFull.sum(), handshakesResumed.sum(),
        connectionsRefused.sum(), failures, reqs, buckets, latencySumMicros.sum(), sums(refusedByReason),
        sums(timeouts));
  }

  private static Map<String, Long> sums(Map<String, LongAdder> counters) {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * Counter values at one moment. {@code requests} keys are {@code "VERB RESULT"}; {@code connectionsRefused}
   * is the sum of {@code refusedByReason}; {@code timeouts} is keyed by kind ({@code request}, {@code write}).
   */
  public record Snapshot(long accepted, long refusedBusy, long handshakesFull, long handshakesResumed,
                         long connectionsRefused, Map<String, Long> handshakeFailures, Map<String, Long> requests,
                         long[] latencyBuckets, long latencySumMicros, Map<String, Long> refusedByReason,
                         Map<String, Long> timeouts) {
    public static long[] bucketBoundsMicros() {
      return BUCKETS_MICROS.clone();
    }
  }
}
