package org.securecmd.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files as {@code openssl} writes them: certificates (a chain is several blocks, leaf first),
 * and unencrypted private keys in PKCS#8 ({@code PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) and
 * PKCS#1 ({@code RSA PRIVATE KEY}) form. Other blocks (such as {@code EC PARAMETERS}) are skipped.
 */
public final class Pem {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final byte[] RSA_OID = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 1, 1, 1};
  private static final byte[] EC_OID = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 2, 1};

  private Pem() {}

  /** One PEM block: its label and decoded bytes. */
  public record Block(String label, byte[] der) {}

  /** All blocks of {@code text}, in order. */
  public static List<Block> blocks(String text) throws GeneralSecurityException {
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new GeneralSecurityException("bad base64 in PEM block " + m.group(1));
      }
    }
    return out;
  }

  /** Reads every certificate in {@code file}, in file order. */
  public static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
    List<X509Certificate> certs = parseCertificates(read(file));
    if (certs.isEmpty()) throw new GeneralSecurityException("no CERTIFICATE block in " + file);
    return certs;
  }

  /** Parses every {@code CERTIFICATE} block of PEM text. */
  public static List<X509Certificate> parseCertificates(String pem) throws GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certs = new ArrayList<>();
    for (Block b : blocks(pem)) {
      if (b.label().equals("CERTIFICATE") || b.label().equals("TRUSTED CERTIFICATE")) {
        certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
      }
    }
    return certs;
  }

  /** Reads the one private key in {@code file}. */
  public static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
    try {
      return parsePrivateKey(read(file));
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses the first private key block of PEM text. */
  public static PrivateKey parsePrivateKey(String pem) throws GeneralSecurityException {
    for (Block b : blocks(pem)) {
      switch (b.label()) {
        case "PRIVATE KEY":
          return pkcs8(b.der());
        case "EC PRIVATE KEY":
          return pkcs8(sec1ToPkcs8(b.der()));
        case "RSA PRIVATE KEY":
          return pkcs8(wrap(Der.encode(Der.SEQUENCE, Der.encode(Der.OID, RSA_OID), Der.encode(Der.NULL)), b.der()));
        case "ENCRYPTED PRIVATE KEY":
          throw new GeneralSecurityException("encrypted private keys are not supported; "
              + "decrypt with: openssl pkey -in KEY -out KEY.plain");
        default:
          // EC PARAMETERS, CERTIFICATE, ...: not a key, keep looking
      }
    }
    if (pem.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new GeneralSecurityException("encrypted private keys are not supported");
    }
    throw new GeneralSecurityException("no private key found (expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"EC", "RSA", "RSASSA-PSS", "Ed25519", "Ed448"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("unsupported or malformed private key", last);
  }

  /** SEC1 {@code ECPrivateKey} carries its curve OID in [0]; PKCS#8 wants it in the algorithm identifier. */
  private static byte[] sec1ToPkcs8(byte[] sec1) throws GeneralSecurityException {
    Der.Element seq = Der.read(sec1, 0);
    if (seq.tag() != Der.SEQUENCE) throw new GeneralSecurityException("EC PRIVATE KEY is not a SEQUENCE");
    int pos = seq.start();
    byte[] curve = null;
    while (pos < seq.end()) {
      Der.Element e = Der.read(sec1, pos);
      if (e.tag() == Der.CONTEXT_0) curve = Der.read(sec1, e.start()).encoded(e.start());
      pos = e.next();
    }
    if (curve == null) throw new GeneralSecurityException("EC PRIVATE KEY without named curve parameters");
    return wrap(Der.encode(Der.SEQUENCE, Der.encode(Der.OID, EC_OID), curve), sec1);
  }

  private static byte[] wrap(byte[] algorithmIdentifier, byte[] key) {
    return Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[] {0}), algorithmIdentifier,
        Der.encode(Der.OCTET_STRING, key));
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.ISO_8859_1);
  }
}
