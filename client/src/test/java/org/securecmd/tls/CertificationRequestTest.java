package org.securecmd.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our DER CSRs are what openssl and BouncyCastle expect: they parse, verify, and carry our key and CN. */
class CertificationRequestTest {
  @TempDir Path dir;

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return g.generateKeyPair();
  }

  private void check(KeyPair kp, String cn) throws Exception {
    byte[] der = CertificationRequest.der(kp.getPublic(), kp.getPrivate(), cn);
    PKCS10CertificationRequest bc = new PKCS10CertificationRequest(der);
    assertTrue(bc.isSignatureValid(new JcaContentVerifierProviderBuilder().build(bc.getSubjectPublicKeyInfo())));
    assertArrayEquals(kp.getPublic().getEncoded(), bc.getSubjectPublicKeyInfo().getEncoded());
    assertEquals(cn, IETFUtils.valueToString(bc.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue()));
    Path file = dir.resolve("req.pem");
    Files.writeString(file, TestPki.pem("CERTIFICATE REQUEST", der));
    assertTrue(opensslVerify("req.pem").contains("verify OK"));
  }

  /** openssl req -verify's output ("... verify OK" or "... verify failure"); its exit code does not tell. */
  private String opensslVerify(String file) throws Exception {
    Process p = new ProcessBuilder(Openssl.OPENSSL, "req", "-in", file, "-verify", "-noout").directory(dir.toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  @Test
  void ecP256RequestVerifiesWithOpensslAndBouncyCastle() throws Exception {
    check(ec(), "device-17");
  }

  @Test
  void rsaRequestVerifiesWithOpensslAndBouncyCastle() throws Exception {
    check(rsa(2048), "device-rsa");
  }

  @Test
  void longNonAsciiNameUsesLongFormLengths() throws Exception {
    check(ec(), "gerät-" + "x".repeat(200));
  }

  @Test
  void requestSignedByAnotherKeyDoesNotVerify() throws Exception {
    KeyPair a = ec();
    KeyPair b = ec();
    byte[] der = CertificationRequest.der(a.getPublic(), b.getPrivate(), "device-17");
    PKCS10CertificationRequest bc = new PKCS10CertificationRequest(der);
    assertFalse(bc.isSignatureValid(new JcaContentVerifierProviderBuilder().build(bc.getSubjectPublicKeyInfo())));
    Files.writeString(dir.resolve("bad.pem"), TestPki.pem("CERTIFICATE REQUEST", der));
    String out = opensslVerify("bad.pem");
    assertFalse(out.contains("verify OK"), out);
  }
}
