package org.securecmd.daemon.attest;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A TPM manufacturer's CA in memory: a root (or an intermediate under another EkCa) that issues EK
 * certificates the way the TCG EK Credential Profile describes them: empty subject, a critical SAN with a
 * directoryName of TPM manufacturer, model and version, EKU 2.23.133.8.1.
 */
final class EkCa {
  final KeyPair key;
  final X509Certificate cert;

  private EkCa(KeyPair key, X509Certificate cert) {
    this.key = key;
    this.cert = cert;
  }

  static EkCa root(String cn) throws Exception {
    KeyPair k = SoftTpm.ec("secp256r1");
    X500Name name = new X500Name("CN=" + cn);
    return new EkCa(k, build(name, name, k.getPublic(), k, true, null, Instant.now().plus(Duration.ofDays(1))));
  }

  EkCa intermediate(String cn) throws Exception {
    KeyPair k = SoftTpm.ec("secp256r1");
    return new EkCa(k, build(new X500Name(cert.getSubjectX500Principal().getName()), new X500Name("CN=" + cn),
        k.getPublic(), key, true, null, Instant.now().plus(Duration.ofDays(1))));
  }

  X509Certificate ekCertificate(PublicKey ek) throws Exception {
    return ekCertificate(ek, new KeyPurposeId[] {KeyPurposeId.getInstance(new ASN1ObjectIdentifier("2.23.133.8.1"))},
        Instant.now().plus(Duration.ofDays(1)));
  }

  X509Certificate ekCertificate(PublicKey ek, KeyPurposeId[] eku, Instant notAfter) throws Exception {
    return build(new X500Name(cert.getSubjectX500Principal().getName()), new X500Name(new RDN[0]), ek, key, false,
        eku, notAfter);
  }

  private static X509Certificate build(X500Name issuer, X500Name subject, PublicKey pub, KeyPair signer, boolean ca,
      KeyPurposeId[] eku, Instant notAfter) throws Exception {
    var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()),
        Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(notAfter), subject, pub);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (!ca) {
      X500Name tpm = new X500NameBuilder()
          .addRDN(new ASN1ObjectIdentifier("2.23.133.2.1"), new DERUTF8String("id:00001014"))
          .addRDN(new ASN1ObjectIdentifier("2.23.133.2.2"), new DERUTF8String("swtpm"))
          .addRDN(new ASN1ObjectIdentifier("2.23.133.2.3"), new DERUTF8String("id:20191023")).build();
      b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(tpm)));
      if (eku != null) b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }
}
