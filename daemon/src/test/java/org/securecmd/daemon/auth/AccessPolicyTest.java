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
        crl.equals("crl") ? CRL : null, () -> denyList);
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
    AccessPolicy policy = new AccessPolicy(AllowList.of(List.of("*")), null, () -> current[0]);
    Identity id = Identity.of(GOOD.certificate());
    assertEquals(Optional.empty(), policy.refusal(id, GOOD.chain()));
    current[0] = current[0].withIdentity("device-1");
    assertEquals(Optional.of("revoked by the operator"), policy.refusal(id, GOOD.chain()));
  }

  @Test
  void anonymousIsJudgedByTheAllowListOnly() {
    AccessPolicy star = new AccessPolicy(AllowList.of(List.of("*")), CRL, () -> DenyList.EMPTY.withIdentity(""));
    assertEquals(Optional.empty(), star.refusal(Identity.ANONYMOUS, List.of()));
    AccessPolicy devices = new AccessPolicy(AllowList.of(List.of("device-*")), CRL, () -> DenyList.EMPTY);
    assertEquals(Optional.of("identity not allowed to connect"), devices.refusal(Identity.ANONYMOUS, List.of()));
  }
}
