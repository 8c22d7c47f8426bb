package org.securecmd.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.securecmd.tls.TestPki;

class ChainTrustTest {
  private static final TestPki PKI = new TestPki("Fleet");
  private static final TestPki OTHER = new TestPki("Other");
  private static final TestPki.Issued DEVICE = PKI.issue(TestPki.spec("dev-1").clientAuth());
  private static final Optional<String> TRUSTED = Optional.empty();
  private static final Optional<String> REFUSED = Optional.of(ChainTrust.REFUSAL);

  private static Optional<String> check(List<X509Certificate> anchors, List<X509Certificate> chain) {
    return ChainTrust.of(anchors).refusal(chain, Instant.now());
  }

  private static List<X509Certificate> withRoot(List<X509Certificate> chain) {
    List<X509Certificate> out = new ArrayList<>(chain);
    out.add(PKI.rootCertificate());
    return out;
  }

  @Test
  void aChainLeadingToAnAnchorIsTrustedHoweverMuchOfItThePeerSends() {
    X509Certificate root = PKI.rootCertificate();
    X509Certificate intermediate = PKI.intermediate().certificate();
    assertEquals(TRUSTED, check(List.of(root), DEVICE.chain()), "leaf + intermediate under the root");
    assertEquals(TRUSTED, check(List.of(root), withRoot(DEVICE.chain())), "the root sent as well");
    assertEquals(TRUSTED, check(List.of(intermediate), DEVICE.chain()), "the intermediate is the anchor");
    assertEquals(TRUSTED, check(List.of(intermediate), withRoot(DEVICE.chain())), "... and the peer sends its root");
    assertEquals(TRUSTED, check(List.of(intermediate), List.of(DEVICE.certificate())), "the leaf alone");
    assertEquals(TRUSTED, check(List.of(OTHER.rootCertificate(), root), DEVICE.chain()), "one of several anchors");
  }

  @Test
  void aChainOfAnotherCaOrAForgedOneIsRefused() {
    assertEquals(REFUSED, check(List.of(OTHER.rootCertificate()), DEVICE.chain()));
    assertEquals(REFUSED, check(List.of(PKI.rootCertificate()), List.of(DEVICE.certificate())), "no path: intermediate missing");
    // same issuer names, other keys: a chain of the other PKI's CA called like ours
    TestPki lookalike = new TestPki("Fleet");
    assertEquals(REFUSED, check(List.of(PKI.rootCertificate()), lookalike.issue(TestPki.spec("dev-1").clientAuth()).chain()));
    assertEquals(REFUSED, check(List.of(), DEVICE.chain()), "no anchors trust nobody");
    assertEquals(REFUSED, check(List.of(PKI.rootCertificate()), List.of()), "no chain");
  }

  @Test
  void keepingEveryAnchorSparesTheValidationAndRemovingOneDoesNot() {
    ChainTrust both = ChainTrust.of(List.of(PKI.rootCertificate(), OTHER.rootCertificate()));
    ChainTrust one = ChainTrust.of(List.of(PKI.rootCertificate()));
    assertTrue(both.keepsEveryAnchorOf(one));
    assertTrue(one.keepsEveryAnchorOf(ChainTrust.of(List.of(PKI.rootCertificate()))));
    assertFalse(one.keepsEveryAnchorOf(both));
    assertFalse(one.keepsEveryAnchorOf(null));
  }
}
