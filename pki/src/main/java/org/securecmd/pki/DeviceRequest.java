package org.securecmd.pki;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A device's certificate signing request that passed the checks: its self-signature verifies, its key is
 * RSA of at least 2048 bits or EC on P-256 or P-384, and it names a device id (CN, or given by the operator).
 */
public record DeviceRequest(Path source, PublicKey publicKey, String deviceId) {
  /** Device ids: what the daemon's allow lists match, so no spaces or wildcards. */
  public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");

  public DeviceRequest {
    if (publicKey == null) throw new IllegalArgumentException("publicKey == null");
    if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
      throw new IllegalArgumentException("device id must match " + DEVICE_ID.pattern() + ": " + deviceId);
    }
  }

  /**
   * Reads and checks a CSR (PEM or DER).
   *
   * @param deviceId the id to certify, or null to take the CSR's subject CN
   * @throws GeneralSecurityException naming the file and the check that failed
   */
  public static DeviceRequest read(Path file, String deviceId) throws IOException, GeneralSecurityException {
    byte[] bytes = Files.readAllBytes(file);
    JcaPKCS10CertificationRequest csr;
    try {
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      if (text.contains("-----BEGIN")) {
        Object o = new PEMParser(new StringReader(text)).readObject();
        if (!(o instanceof org.bouncycastle.pkcs.PKCS10CertificationRequest r)) {
          throw new GeneralSecurityException(file + ": no CERTIFICATE REQUEST block");
        }
        csr = new JcaPKCS10CertificationRequest(r);
      } else {
        csr = new JcaPKCS10CertificationRequest(bytes);
      }
    } catch (IOException | RuntimeException e) {
      throw new GeneralSecurityException(file + ": not a certificate signing request: " + e.getMessage(), e);
    }
    try {
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
        throw new GeneralSecurityException(file + ": the CSR's signature does not verify");
      }
    } catch (OperatorCreationException | PKCSException e) {
      throw new GeneralSecurityException(file + ": the CSR's signature cannot be checked: " + e.getMessage(), e);
    }
    PublicKey key = csr.getPublicKey();
    checkStrength(file, key, csr.getSubjectPublicKeyInfo().getAlgorithm().getParameters());
    String id = deviceId != null ? deviceId : commonName(csr);
    if (id == null) throw new GeneralSecurityException(file + ": the CSR has no CN; give --device-id");
    if (!DEVICE_ID.matcher(id).matches()) {
      throw new GeneralSecurityException(file + ": device id \"" + id + "\" must match " + DEVICE_ID.pattern());
    }
    return new DeviceRequest(file, key, id);
  }

  private static void checkStrength(Path file, PublicKey key, Object params) throws GeneralSecurityException {
    if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < 2048) throw new GeneralSecurityException(file + ": weak key: RSA " + bits + " bits (at least 2048)");
      return;
    }
    if (key.getAlgorithm().equals("EC")) {
      if (X9ObjectIdentifiers.prime256v1.equals(params) || SECObjectIdentifiers.secp384r1.equals(params)) return;
      String curve = params instanceof ASN1ObjectIdentifier oid ? curveName(oid) : String.valueOf(params);
      throw new GeneralSecurityException(file + ": weak or unsupported key: EC curve " + curve
          + " (allowed: P-256, P-384)");
    }
    throw new GeneralSecurityException(file + ": unsupported key type " + key.getAlgorithm()
        + " (allowed: RSA >= 2048, EC P-256, EC P-384)");
  }

  private static String curveName(ASN1ObjectIdentifier oid) {
    String n = org.bouncycastle.asn1.x9.ECNamedCurveTable.getName(oid);
    return n == null ? oid.getId() : n;
  }

  private static String commonName(JcaPKCS10CertificationRequest csr) {
    var rdns = csr.getSubject().getRDNs(BCStyle.CN);
    return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }
}
