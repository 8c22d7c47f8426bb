package org.securecmd.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * "What I am": a certificate chain (leaf first) and the private key of the leaf.
 *
 * <pre>{@code
 * CertifiedKey server = CertifiedKey.load(Path.of("server.crt"), Path.of("server.key"));
 * X509Certificate leaf = server.leaf();
 * }</pre>
 *
 * The constructor proves that the key belongs to the leaf by signing a probe and verifying it with the
 * leaf's public key, which works for any key type, including keys held in a token.
 */
public record CertifiedKey(PrivateKey privateKey, List<X509Certificate> chain) {
  public CertifiedKey {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) throw new IllegalArgumentException("empty certificate chain");
    if (privateKey == null) throw new IllegalArgumentException("privateKey == null");
  }

  /**
   * Loads a PEM chain and its PEM key and checks that they belong together.
   *
   * @throws GeneralSecurityException naming the file at fault when a file holds no usable material or
   *     when the key does not match the certificate
   */
  public static CertifiedKey load(Path certificateFile, Path keyFile) throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = Pem.readCertificates(certificateFile);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    CertifiedKey ck = new CertifiedKey(key, chain);
    if (!ck.keyMatchesLeaf()) {
      throw new GeneralSecurityException("private key " + keyFile + " does not match the certificate "
          + chain.get(0).getSubjectX500Principal().getName() + " in " + certificateFile);
    }
    return ck;
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** True when the private key signs what the leaf certificate's public key verifies. */
  public boolean keyMatchesLeaf() throws GeneralSecurityException {
    PublicKey pub = leaf().getPublicKey();
    if (!pub.getAlgorithm().equals(privateKey.getAlgorithm())
        && !(pub.getAlgorithm().equals("RSA") && privateKey.getAlgorithm().equals("RSASSA-PSS"))) {
      return false;
    }
    String algorithm = switch (pub.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA", "RSASSA-PSS" -> "SHA256withRSA";
      default -> pub.getAlgorithm(); // Ed25519, Ed448
    };
    byte[] probe = "securecmd key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(privateKey);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(pub);
    verifier.update(probe);
    return verifier.verify(signature);
  }
}
