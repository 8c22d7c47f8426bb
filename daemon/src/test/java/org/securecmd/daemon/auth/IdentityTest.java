package org.securecmd.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.securecmd.tls.TestPki;

class IdentityTest {
  private static final TestPki PKI = new TestPki("IdentityTest");

  @Test
  void ofTakesCnDnsAndUriSansAndSerialFromTheCertificate() {
    X509Certificate cert = PKI.issue(TestPki.spec("device-42").dns("d42.fleet.example").dns("d42.local")
        .uri("spiffe://fleet/device-42").ip("10.0.0.42").clientAuth()).certificate();
    Identity id = Identity.of(cert);
    assertEquals("device-42", id.commonName());
    assertEquals(List.of("d42.fleet.example", "d42.local"), id.dnsNames());
    assertEquals(List.of("spiffe://fleet/device-42"), id.uris());
    assertEquals(cert.getSerialNumber().toString(16).toLowerCase(Locale.ROOT), id.serial());
    assertEquals(DenyList.normalizeSerial(cert.getSerialNumber().toString(16)), id.serial());
    assertEquals(List.of("device-42", "d42.fleet.example", "d42.local", "spiffe://fleet/device-42"), id.names());
    assertEquals("device-42", id.displayName());
    assertFalse(id.isAnonymous());
  }

  @Test
  void ofACertificateWithoutSansHasOnlyItsCn() {
    Identity id = Identity.of(PKI.issue(TestPki.spec("trusted-client").clientAuth()).certificate());
    assertEquals("trusted-client", id.commonName());
    assertEquals(List.of(), id.dnsNames());
    assertEquals(List.of(), id.uris());
    assertEquals(List.of("trusted-client"), id.names());
  }

  @Test
  void ofUnescapesACnWithRfc2253SpecialCharacters() {
    Identity id = Identity.of(PKI.issue(TestPki.spec("a\\,b \\+ c").clientAuth()).certificate());
    assertEquals("a,b + c", id.commonName());
  }

  static Stream<Arguments> displayNames() {
    return Stream.of(
        Arguments.of(Identity.ANONYMOUS, "anonymous"),
        Arguments.of(new Identity("device-1", List.of("d1"), List.of("spiffe://f/d1"), "1"), "device-1"),
        Arguments.of(new Identity("", List.of("d1", "d2"), List.of("spiffe://f/d1"), "1"), "d1"),
        Arguments.of(new Identity("", List.of(), List.of("spiffe://f/d1"), "1"), "spiffe://f/d1"),
        Arguments.of(new Identity("", List.of(), List.of(), "a1b"), "serial:a1b"),
        Arguments.of(new Identity("anonymous", List.of(), List.of(), "2"), "anonymous"),
        // anonymous is decided by the serial alone: a CN without serial is still anonymous
        Arguments.of(new Identity("device-1", List.of(), List.of(), ""), "anonymous"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("displayNames")
  void displayNameIsCnElseFirstSanElseSerialAndAnonymousWithoutCertificate(Identity id, String expected) {
    assertEquals(expected, id.displayName());
  }

  @Test
  void anonymousHasNoNames() {
    assertTrue(Identity.ANONYMOUS.isAnonymous());
    assertEquals(List.of(), Identity.ANONYMOUS.names());
  }
}
