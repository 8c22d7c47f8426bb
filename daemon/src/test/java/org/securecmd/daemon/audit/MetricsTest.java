package org.securecmd.daemon.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsTest {
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      Read timed out                                                                      | timeout
      handshake timed out                                                                 | timeout
      SocketTimeoutException: Timeout                                                     | timeout
      Received fatal alert: certificate_required                                          | no_client_certificate
      Empty client certificate chain                                                      | no_client_certificate
      no client certificate presented                                                     | no_client_certificate
      PKIX path building failed: unable to find valid certification path to requested target | untrusted_certificate
      Received fatal alert: unknown_ca                                                    | untrusted_certificate
      certification path rejected                                                         | untrusted_certificate
      certificate expired                                                                 | expired_certificate
      Received fatal alert: certificate_expired                                           | expired_certificate
      Unsupported or unrecognized SSL message                                             | not_tls
      Unrecognized SSL message, plaintext connection?                                     | not_tls
      The client supported protocol versions [TLSv1.2] are not accepted by server preferences [TLSv1.3] | protocol_version
      Received fatal alert: protocol_version                                              | protocol_version
      No appropriate protocol (protocol is disabled or cipher suites are inappropriate)   | protocol_version
      Connection reset                                                                    | closed_by_peer
      Broken pipe                                                                         | closed_by_peer
      Socket closed                                                                       | closed_by_peer
      EOF reached while reading                                                           | closed_by_peer
      Received fatal alert: bad_certificate                                               | other
      Received fatal alert: handshake_failure                                             | other
      something else entirely                                                             | other
      ''                                                                                  | other
      READ TIMED OUT                                                                      | timeout
      """)
  void reasonKeyFoldsFailureMessagesIntoAFixedVocabulary(String reason, String key) {
    assertEquals(key, Metrics.reasonKey(reason));
  }

  @Test
  void unknownVerbsAreFoldedIntoOther() {
    Metrics m = new Metrics();
    Set<String> known = Set.of("PING", "GET_SECRET");
    m.knownVerbs(known::contains);
    m.request("PING", "OK", 10);
    m.request("PING", "OK", 10);
    m.request("GET_SECRET", "FORBIDDEN", 10);
    m.request("SCAN1", "UNKNOWN_COMMAND", 10);
    m.request("SCAN2", "UNKNOWN_COMMAND", 10);
    m.request("get_secret", "UNKNOWN_COMMAND", 10);
    m.request("", "BAD_REQUEST", 10);
    assertEquals(Map.of("PING OK", 2L, "GET_SECRET FORBIDDEN", 1L, "_other UNKNOWN_COMMAND", 3L,
        "_other BAD_REQUEST", 1L), m.snapshot().requests());
    assertEquals(7, m.requestCount());
  }

  @Test
  void beforeAGenerationIsInstalledEveryVerbIsOther() {
    Metrics m = new Metrics();
    m.request("PING", "OK", 1);
    assertEquals(Map.of("_other OK", 1L), m.snapshot().requests());
  }

  @Test
  void handshakeFailuresAreCountedByReasonKey() {
    Metrics m = new Metrics();
    m.handshakeFailed("Read timed out");
    m.handshakeFailed("handshake timed out");
    m.handshakeFailed("a scanner's own text " + "x".repeat(100));
    assertEquals(Map.of("timeout", 2L, "other", 1L), m.snapshot().handshakeFailures());
  }

  @ParameterizedTest(name = "[{index}] {0} us -> bucket {1}")
  @CsvSource(textBlock = """
      0,         0
      100,       0
      101,       1
      250,       1
      1000,      3
      1000000,   9
      1000001,   10
      99999999,  10
      """)
  void latencyGoesIntoTheFirstBucketWhoseBoundIsNotBelowIt(long micros, int bucket) {
    Metrics m = new Metrics();
    m.request("X", "OK", micros);
    long[] expected = new long[Metrics.BUCKETS_MICROS.length + 1];
    expected[bucket] = 1;
    assertArrayEquals(expected, m.snapshot().latencyBuckets());
    assertEquals(micros, m.snapshot().latencySumMicros());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
      "certificate revoked (CRL), revoked",
      "revoked by the operator, revoked",
      "identity not allowed to connect, policy",
      "certificate expired, policy"})
  void policyRefusalsFoldToTwoReasons(String text, String key) {
    assertEquals(key, Metrics.refusalKey(text));
  }

  @Test
  void connectionCountersCountEachEvent() {
    Metrics m = new Metrics();
    m.accepted();
    m.accepted();
    m.refusedBusy();
    m.handshakeOk(false);
    m.handshakeOk(true);
    m.handshakeOk(true);
    m.refused("revoked");
    m.refused("identity_limit");
    m.refused("revoked");
    m.timedOut("write");
    Metrics.Snapshot s = m.snapshot();
    assertEquals(2, s.accepted());
    assertEquals(1, s.refusedBusy());
    assertEquals(1, s.handshakesFull());
    assertEquals(2, s.handshakesResumed());
    assertEquals(3, s.connectionsRefused());
    assertEquals(java.util.Map.of("revoked", 2L, "identity_limit", 1L), s.refusedByReason());
    assertEquals(java.util.Map.of("write", 1L), s.timeouts());
    assertEquals(2, m.acceptedCount());
  }
}
