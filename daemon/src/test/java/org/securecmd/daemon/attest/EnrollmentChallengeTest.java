package org.securecmd.daemon.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ENROLL} and {@code ENROLL-PROOF} end to end with software keys: the EK certificate chain, the EK
 * and AK public areas, MakeCredential for RSA, P-256 and P-384 EKs (activated in software), the single-use
 * proof, and each refusal with its reason.
 */
class EnrollmentChallengeTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  static EkCa root;
  static KeyPair rsaEk;
  static KeyPair akKey;
  static KeyPair tlsKey;

  @BeforeAll
  static void keys() throws Exception {
    root = EkCa.root("Test TPM Manufacturer Root");
    rsaEk = SoftTpm.rsa();
    akKey = SoftTpm.ec("secp256r1");
    tlsKey = SoftTpm.ec("secp256r1");
  }

  /** A device with {@code ek}: ENROLL, activation in software, a certify of its TLS key over the nonce. */
  static AttestedKey enroll(EkAuthority cas, X509Certificate cert, KeyPair ek, SoftTpm.Area ekArea) throws Exception {
    SoftTpm.Area ak = SoftTpm.ak(akKey.getPublic());
    EnrollmentChallenge c = EnrollmentChallenge.issue(cas.verify(cert.getEncoded(), Instant.now()), ekArea.marshal(), ak.marshal(), RANDOM);
    byte[] secret = SoftActivation.activate(ek.getPrivate(), TpmPublic.parse("EK", ekArea.marshal()), ak.name(),
        c.credentialBlob(), c.encryptedSecret());
    SoftTpm.Area key = SoftTpm.tlsKey(tlsKey.getPublic());
    byte[] attest = SoftTpm.certifyAttest(0xff544347, 0x8017, SoftTpm.qualifiedName(ak, ekArea), c.nonce(),
        key.name(), new byte[34]);
    byte[] sig = SoftTpm.sign(akKey.getPrivate(), SoftTpm.ECDSA, SoftTpm.SHA256, attest);
    byte[] csr = SoftTpm.csr(tlsKey, "device-1");
    AttestedKey result = c.prove(secret, csr, key.marshal(), attest, sig);
    AttestationException again = assertThrows(AttestationException.class,
        () -> c.prove(secret, csr, key.marshal(), attest, sig));
    assertEquals("this enrollment challenge was already answered", again.reason());
    assertArrayEquals(ak.marshal(), c.attestationKey().akPublic());
    assertArrayEquals(ekArea.marshal(), c.attestationKey().ekPublic());
    return result;
  }

  @Test
  void aDeviceWithAnRsaEkEnrollsOnceAndNotTwice() throws Exception {
    AttestedKey k = enroll(EkAuthority.of(List.of(root.cert)), root.ekCertificate(rsaEk.getPublic()), rsaEk,
        SoftTpm.ek(rsaEk.getPublic()));
    assertTrue(TpmKeys.sameKey(tlsKey.getPublic(), k.publicKey()));
  }

  @Test
  void aDeviceWithAP256EkEnrolls() throws Exception {
    KeyPair ek = SoftTpm.ec("secp256r1");
    enroll(EkAuthority.of(List.of(root.cert)), root.ekCertificate(ek.getPublic()), ek, SoftTpm.ek(ek.getPublic()));
  }

  @Test
  void aDeviceWithAHighRangeP384EkEnrolls() throws Exception {
    KeyPair ek = SoftTpm.ec("secp384r1");
    enroll(EkAuthority.of(List.of(root.cert)), root.ekCertificate(ek.getPublic()), ek, SoftTpm.highRangeEk(ek.getPublic()));
  }

  @Test
  void anEkCertificateFromAnIntermediateInTheBundleChains() throws Exception {
    EkCa intermediate = root.intermediate("Test TPM Manufacturer EK CA 042");
    enroll(EkAuthority.of(List.of(intermediate.cert, root.cert)), intermediate.ekCertificate(rsaEk.getPublic()), rsaEk,
        SoftTpm.ek(rsaEk.getPublic()));
  }

  @Test
  void aWrongSecretIsRefusedAndUsesUpTheChallenge() throws Exception {
    SoftTpm.Area ak = SoftTpm.ak(akKey.getPublic());
    VerifiedEk ek = EkAuthority.of(List.of(root.cert)).verify(root.ekCertificate(rsaEk.getPublic()).getEncoded(),
        Instant.now());
    EnrollmentChallenge c = EnrollmentChallenge.issue(ek, SoftTpm.ek(rsaEk.getPublic()).marshal(), ak.marshal(), RANDOM);
    AttestationException e = assertThrows(AttestationException.class,
        () -> c.prove(new byte[32], new byte[0], new byte[0], new byte[0], new byte[0]));
    assertEquals("the activated secret is not the credential's", e.reason());
    assertEquals(AttestationException.Check.SECRET, e.check());
    e = assertThrows(AttestationException.class,
        () -> c.prove(new byte[32], new byte[0], new byte[0], new byte[0], new byte[0]));
    assertEquals("this enrollment challenge was already answered", e.reason());
  }

  @Test
  void eachChallengeHasItsOwnSecretAndNonce() throws Exception {
    SoftTpm.Area ak = SoftTpm.ak(akKey.getPublic());
    EkAuthority cas = EkAuthority.of(List.of(root.cert));
    byte[] cert = root.ekCertificate(rsaEk.getPublic()).getEncoded();
    EnrollmentChallenge a = EnrollmentChallenge.issue(cas.verify(cert, Instant.now()), SoftTpm.ek(rsaEk.getPublic()).marshal(), ak.marshal(), RANDOM);
    EnrollmentChallenge b = EnrollmentChallenge.issue(cas.verify(cert, Instant.now()), SoftTpm.ek(rsaEk.getPublic()).marshal(), ak.marshal(), RANDOM);
    assertEquals(32, a.nonce().length);
    assertTrue(!java.util.Arrays.equals(a.nonce(), b.nonce()));
    TpmPublic ek = TpmPublic.parse("EK", SoftTpm.ek(rsaEk.getPublic()).marshal());
    assertTrue(!java.util.Arrays.equals(SoftActivation.activate(rsaEk.getPrivate(), ek, ak.name(), a.credentialBlob(), a.encryptedSecret()),
        SoftActivation.activate(rsaEk.getPrivate(), ek, ak.name(), b.credentialBlob(), b.encryptedSecret())));
    assertEquals(a.ek().keySha256(), HexFormat.of().formatHex(HashAlg.SHA256.digest(rsaEk.getPublic().getEncoded())));
  }

  @Test
  void anEkCertificateOfAnUnknownCaIsForbidden() throws Exception {
    EkCa other = EkCa.root("Other CA");
    AttestationException e = issueFails(EkAuthority.of(List.of(root.cert)), other.ekCertificate(rsaEk.getPublic()).getEncoded(),
        SoftTpm.ek(rsaEk.getPublic()));
    assertEquals(AttestationException.Kind.FORBIDDEN, e.kind());
    assertEquals("EK certificate does not chain to ek_ca (issuer CN=Other CA)", e.reason());
    assertEquals("ek_ca", e.check().label());
  }

  @Test
  void anExpiredEkCertificateIsForbidden() throws Exception {
    var cert = root.ekCertificate(rsaEk.getPublic(), new KeyPurposeId[] {KeyPurposeId.getInstance(
        new org.bouncycastle.asn1.ASN1ObjectIdentifier("2.23.133.8.1"))}, Instant.now().minus(Duration.ofMinutes(1)));
    AttestationException e = issueFails(EkAuthority.of(List.of(root.cert)), cert.getEncoded(), SoftTpm.ek(rsaEk.getPublic()));
    assertEquals(AttestationException.Kind.FORBIDDEN, e.kind());
  }

  @Test
  void refusalsOfTheEnrollRequestNameTheirReason() throws Exception {
    EkAuthority cas = EkAuthority.of(List.of(root.cert));
    byte[] good = root.ekCertificate(rsaEk.getPublic()).getEncoded();
    KeyPair other = SoftTpm.rsa();
    assertEquals("EK certificate is not a DER X.509 certificate",
        issueFails(cas, new byte[] {0x30, 0x03, 1, 2, 3}, SoftTpm.ek(rsaEk.getPublic())).reason());
    assertEquals("EK certificate's extended key usage lacks 2.23.133.8.1", issueFails(cas,
        root.ekCertificate(rsaEk.getPublic(), new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth},
            Instant.now().plus(Duration.ofDays(1))).getEncoded(), SoftTpm.ek(rsaEk.getPublic())).reason());
    assertEquals("EK public area is not the key of the EK certificate",
        issueFails(cas, good, SoftTpm.ek(other.getPublic())).reason());
    assertEquals("EK public area is not a restricted decryption key",
        issueFails(cas, good, SoftTpm.ek(rsaEk.getPublic()).withAttributes(SoftTpm.AK_ATTRIBUTES)).reason());
    assertEquals("EK public area: symmetric definition is not AES-128/256-CFB", issueFails(cas, good,
        new SoftTpm.Area(0, SoftTpm.SHA256, SoftTpm.EK_ATTRIBUTES, new byte[0], SoftTpm.NULL, 0, SoftTpm.NULL, 0,
            rsaEk.getPublic())).reason());
  }

  @Test
  void aBundleWithoutARootIsRefused() throws Exception {
    EkCa intermediate = root.intermediate("EK CA 7");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EkAuthority.of(List.of(intermediate.cert)));
    assertEquals("the EK CA bundle has no self-signed root (1 certificates)", e.getMessage());
  }

  private static AttestationException issueFails(EkAuthority cas, byte[] cert, SoftTpm.Area ek) {
    return assertThrows(AttestationException.class, () -> EnrollmentChallenge.issue(cas.verify(cert, Instant.now()), ek.marshal(), SoftTpm.ak(akKey.getPublic()).marshal(), RANDOM));
  }
}
