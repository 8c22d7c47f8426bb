package org.securecmd.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.cert.X509CRL;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.securecmd.tls.TestPki;

class AccessPolicyTest {
  private static final TestPki PKI = new TestPki("AccessPolicyTest");
  private static final TestPki.Issued GOOD = PKI.issue(TestPki.spec("device-1").clientAuth());
  private static final TestPki.Issued REVOKED = PKI.issue(TestPki.spec("device-2").clientAuth());
  private static final X509CRL CRL = PKI.crl(REVOKED);

  private static String refusal(TestPki.Issued who, String crl, String deny, String allow) {
    DenyList denyList = switch (deny) {
      case "cn" -> DenyList.EMPTY.withIdentity(who.certificate().getSubjectX500Principal().getName().substring(3));
      case "serial" -> DenyList.EMPTY.withSerial(who.certificate().getSerialNumber().toString(16));
      default -> DenyList.EMPTY;
    };
    AccessPolicy policy = new AccessPolicy(AllowList.of(allow.isEmpty() ? List.of() : List.of(allow.split(","))),
        crl.equals("crl") ? List.of(CRL) : List.of(), () -> denyList);
    return policy.refusal(Identity.of(who.certificate()), who.chain()).orElse("allowed");
  }

  @ParameterizedTest(name = "[{index}] {0} crl={1} deny={2} allow={3}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      good    | crl | -      | *          | allowed
      good    | -   | -      | *          | allowed
      good    | -   | -      | device-*   | allowed
      good    | -   | -      | device-1   | allowed
      good    | -   | -      | device-2   | identity not allowed to connect
      good    | -   | -      | ""         | identity not allowed to connect
      good    | -   | cn     | *          | revoked by the operator
      good    | -   | serial | *          | revoked by the operator
      good    | -   | cn     | ""         | revoked by the operator
      revoked | crl | -      | *          | certificate revoked (CRL)
      revoked | crl | cn     | ""         | certificate revoked (CRL)
      revoked | -   | -      | *          | allowed
      """)
  void refusalChecksCrlThenDenyListThenAllowList(String who, String crl, String deny, String allow, String expected) {
    assertEquals(expected, refusal(who.equals("good") ? GOOD : REVOKED, crl, deny, allow));
  }

  @Test
  void denyListIsReadOnEveryCheck() {
    DenyList[] current = {DenyList.EMPTY};
    AccessPolicy policy = new AccessPolicy(AllowList.of(List.of("*")), List.of(), () -> current[0]);
    Identity id = Identity.of(GOOD.certificate());
    assertEquals(Optional.empty(), policy.refusal(id, GOOD.chain()));
    current[0] = current[0].withIdentity("device-1");
    assertEquals(Optional.of("revoked by the operator"), policy.refusal(id, GOOD.chain()));
  }

  @Test
  void anonymousIsAdmittedByAllowAnonymousOnlyNeverByStar() {
    AccessPolicy star = new AccessPolicy(AllowList.of(List.of("*")), List.of(CRL), () -> DenyList.EMPTY.withIdentity(""));
    assertEquals(Optional.of("a client certificate is required"), star.refusal(Identity.ANONYMOUS, List.of()));
    AccessPolicy open = new AccessPolicy(AllowList.of(List.of(), true), List.of(CRL), () -> DenyList.EMPTY);
    assertEquals(Optional.empty(), open.refusal(Identity.ANONYMOUS, List.of()));
    assertEquals(Optional.of("identity not allowed to connect"),
        open.refusal(Identity.of(GOOD.certificate()), GOOD.chain()), "allow_anonymous admits no certified client");
  }

  /** A second CRL in the bundle (another issuer, or a newer CRL appended) revokes as much as the first. */
  @Test
  void aDeviceRevokedByAnyOfTheCrlsIsRefused() {
    TestPki other = new TestPki("Other");
    AccessPolicy policy = new AccessPolicy(AllowList.of(List.of("*")), List.of(other.crl(), PKI.crl(), CRL),
        () -> DenyList.EMPTY);
    assertEquals(Optional.of("certificate revoked (CRL)"),
        policy.refusal(Identity.of(REVOKED.certificate()), REVOKED.chain()));
    assertEquals(Optional.empty(), policy.refusal(Identity.of(GOOD.certificate()), GOOD.chain()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      -PT2H | certificate not yet valid
      -PT1M | allowed
      P29D  | allowed
      P31D  | certificate expired
      """)
  void validityIsCheckedAtTheGivenInstant(String offset, String expected) {
    // GOOD is valid from 5 minutes ago for 30 days (TestPki's default).
    java.time.Duration d = java.time.Duration.parse(offset);
    AccessPolicy policy = new AccessPolicy(AllowList.of(List.of("*")), List.of(), () -> DenyList.EMPTY);
    assertEquals(expected, policy.refusal(Identity.of(GOOD.certificate()), GOOD.chain(), java.time.Instant.now().plus(d))
        .orElse("allowed"));
  }

  @Test
  void anExpiredCaCertificateInTheChainIsRefusedToo() {
    java.time.Instant now = java.time.Instant.now();
    AccessPolicy policy = new AccessPolicy(AllowList.of(List.of("*")), List.of(), () -> DenyList.EMPTY);
    TestPki.Issued shortLeaf = PKI.issue(TestPki.spec("device-3").validity(now.minusSeconds(60), now.plusSeconds(3600))
        .clientAuth());
    // The intermediate of TestPki is valid for 30 days; the leaf is valid for an hour: at +2 days only the leaf is out.
    assertEquals(Optional.of("certificate expired"),
        policy.refusal(Identity.of(shortLeaf.certificate()), shortLeaf.chain(), now.plusSeconds(2 * 86400)));
    // A leaf that outlives its intermediate (30 days): at +40 days the chain's CA certificate is what has expired.
    TestPki.Issued longLeaf = PKI.issue(TestPki.spec("device-4").validity(now.minusSeconds(60), now.plusSeconds(60L * 86400))
        .clientAuth());
    assertEquals(Optional.of("CA certificate in the chain expired"),
        policy.refusal(Identity.of(longLeaf.certificate()), longLeaf.chain(), now.plusSeconds(40L * 86400)));
  }

  @Test
  void theClockDecidesNowWhenNoInstantIsGiven() {
    java.time.Instant later = java.time.Instant.now().plusSeconds(31L * 86400);
    AccessPolicy policy = new AccessPolicy(AllowList.of(List.of("*")), List.of(), () -> DenyList.EMPTY,
        java.time.Clock.fixed(later, java.time.ZoneOffset.UTC));
    assertEquals(Optional.of("certificate expired"), policy.refusal(Identity.of(GOOD.certificate()), GOOD.chain()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      device-1                  | allowed
      device-1,CN=device-2      | certificate subject has more than one CN
      device-1+CN=device-2      | certificate subject has a multi-valued RDN holding a CN
      device-1+O=Fleet          | certificate subject has a multi-valued RDN holding a CN
      device-1,O=Fleet          | allowed
      """)
  void aSubjectWithMoreThanOneCnIsRefused(String cn, String expected) {
    // TestPki writes "CN=" + the name, so a name with "," or "+" makes a subject of several attributes.
    TestPki.Issued who = PKI.issue(TestPki.spec(cn).clientAuth());
    AccessPolicy policy = new AccessPolicy(AllowList.of(List.of("*")), List.of(), () -> DenyList.EMPTY);
    assertEquals(expected, policy.refusal(Identity.of(who.certificate()), who.chain()).orElse("allowed"));
  }
}
