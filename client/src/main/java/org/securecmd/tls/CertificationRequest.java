package org.securecmd.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * A PKCS#10 certificate signing request (RFC 2986) in DER, built with the JDK alone: subject {@code CN=...},
 * no attributes, signed with SHA-256 (ECDSA for EC keys, PKCS#1 v1.5 for RSA keys). The JDK has no API
 * for this; openssl and BouncyCastle read what it makes (see the tests).
 *
 * <pre>{@code
 * byte[] csr = CertificationRequest.der(keyPair.getPublic(), keyPair.getPrivate(), "device-17");
 * }</pre>
 *
 * The private key may be a token key (its provider is found among the installed ones); a key that no JDK
 * provider holds (one inside a TPM) signs through a {@link Signer}.
 */
public final class CertificationRequest {
  private static final byte[] OID_CN = {0x06, 0x03, 0x55, 0x04, 0x03};
  private static final byte[] ECDSA_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
  private static final byte[] RSA_SHA256 =
      {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x0b};
  private static final int UTF8_STRING = 0x0c;
  private static final int SET = 0x31;
  private static final int BIT_STRING = 0x03;

  private CertificationRequest() {}

  /** Signs a CSR's encoded CertificationRequestInfo; returns the signature as X.509 carries it (DER for ECDSA). */
  @FunctionalInterface
  public interface Signer {
    byte[] sign(byte[] toBeSigned) throws GeneralSecurityException;
  }

  /** A CSR for {@code publicKey}, signed by its {@code privateKey}, with subject CN={@code commonName}. */
  public static byte[] der(PublicKey publicKey, PrivateKey privateKey, String commonName) throws GeneralSecurityException {
    boolean ec = publicKey.getAlgorithm().equals("EC");
    return der(publicKey, commonName, info -> {
      Signature signer = Signature.getInstance(ec ? "SHA256withECDSA" : "SHA256withRSA");
      signer.initSign(privateKey);
      signer.update(info);
      return signer.sign();
    });
  }

  /**
   * A CSR for {@code publicKey} with subject CN={@code commonName}, signed by {@code signer} with SHA-256
   * (ECDSA for an EC key, PKCS#1 v1.5 for an RSA key): for a key the JDK cannot reach, such as a TPM's.
   */
  public static byte[] der(PublicKey publicKey, String commonName, Signer signer) throws GeneralSecurityException {
    boolean ec = publicKey.getAlgorithm().equals("EC");
    if (!ec && !publicKey.getAlgorithm().equals("RSA")) {
      throw new GeneralSecurityException("CSRs are made for EC and RSA keys, not " + publicKey.getAlgorithm());
    }
    byte[] subject = Der.encode(Der.SEQUENCE, Der.encode(SET, Der.encode(Der.SEQUENCE, OID_CN,
        Der.encode(UTF8_STRING, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] info = Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[] {0}), subject, publicKey.getEncoded(),
        new byte[] {(byte) Der.CONTEXT_0, 0x00});
    byte[] signature = signer.sign(info);
    byte[] algorithm = ec ? Der.encode(Der.SEQUENCE, ECDSA_SHA256)
        : Der.encode(Der.SEQUENCE, RSA_SHA256, new byte[] {Der.NULL, 0x00});
    byte[] bits = new byte[signature.length + 1];
    System.arraycopy(signature, 0, bits, 1, signature.length);
    return Der.encode(Der.SEQUENCE, info, algorithm, Der.encode(BIT_STRING, bits));
  }

  /**
   * An ECDSA signature given as its two numbers (unsigned, big-endian, as a TPM returns them) in the DER form
   * X.509 and the JDK use: {@code SEQUENCE { INTEGER r, INTEGER s }}.
   */
  public static byte[] ecdsaDer(byte[] r, byte[] s) {
    return Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new BigInteger(1, r).toByteArray()),
        Der.encode(Der.INTEGER, new BigInteger(1, s).toByteArray()));
  }
}
