package org.securecmd.client;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertificationRequest;

/**
 * {@code RENEW} on an open connection: sends a CSR for {@code publicKey} (signed by its private key) and
 * checks the reply before anyone installs it: the leaf is for our key, has the same subject and subject
 * alternative names as the certificate it renews, and is valid now.
 */
final class Renewal {
  private Renewal() {}

  static List<X509Certificate> request(Connection c, X509Certificate current, PublicKey publicKey, PrivateKey privateKey)
      throws ClientException, RenewalException, GeneralSecurityException {
    String cn = commonNameOf(current);
    byte[] csr = CertificationRequest.der(publicKey, privateKey, cn);
    return checked(c.send("RENEW " + Base64.getEncoder().encodeToString(csr)), current, publicKey);
  }

  /** The chain in a RENEW reply, checked: for {@code publicKey}, the names of {@code current}, valid now. */
  static List<X509Certificate> checked(Reply reply, X509Certificate current, PublicKey publicKey)
      throws RenewalException {
    if (reply.isError()) {
      ErrorCode code = ErrorCode.byName(reply.errorCode());
      throw new RenewalException(code == null ? ErrorCode.INTERNAL : code, reply.line());
    }
    List<X509Certificate> chain = parse(reply.text());
    X509Certificate leaf = chain.get(0);
    if (!Arrays.equals(leaf.getPublicKey().getEncoded(), publicKey.getEncoded())) {
      throw new RenewalException(null, "the server returned a certificate for another key; not installed");
    }
    if (!leaf.getSubjectX500Principal().equals(current.getSubjectX500Principal()) || !sameNames(leaf, current)) {
      throw new RenewalException(null, "the server returned a certificate with other names ("
          + leaf.getSubjectX500Principal().getName() + "); not installed");
    }
    // Not "outlives the current one": near the end of an issuing CA's life the server caps new certificates
    // at the CA's expiry, and refusing those would let the device run out instead.
    try {
      leaf.checkValidity();
    } catch (java.security.cert.CertificateException e) {
      throw new RenewalException(null, "the returned certificate is not valid now (" + e.getMessage() + "); not installed");
    }
    return chain;
  }

  private static List<X509Certificate> parse(String text) throws RenewalException {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      for (String part : text.split(" ")) {
        chain.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(part))));
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new RenewalException(null, "the server's RENEW reply is not a certificate chain: " + e.getMessage());
    }
    return chain;
  }

  private static boolean sameNames(X509Certificate a, X509Certificate b) {
    try {
      return Objects.equals(names(a.getSubjectAlternativeNames()), names(b.getSubjectAlternativeNames()));
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  private static List<String> names(Collection<List<?>> sans) {
    if (sans == null) return List.of();
    return sans.stream().map(String::valueOf).sorted().toList();
  }

  static String commonNameOf(X509Certificate c) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|,)CN=((?:[^,\\\\]|\\\\.)+)")
        .matcher(c.getSubjectX500Principal().getName());
    // The server copies the names from the current certificate, never from the CSR; this is a courtesy.
    return m.find() ? m.group(1).replaceAll("\\\\(.)", "$1") : "securecmd-device";
  }
}
