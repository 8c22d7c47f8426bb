package org.securecmd.daemon.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.Origins;
import org.securecmd.tls.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [clients] crl}: every CRL in the file, each verified against the CA in {@code [clients] ca} that
 * issued it. A PEM file may hold several {@code X509 CRL} blocks (the root's and the intermediate's, or a new
 * CRL appended to an old one); a DER file holds one. A device revoked by any of them is refused. A block
 * that is not a CRL, whose issuer is not in {@code [clients] ca}, or whose signature does not verify, makes
 * the whole file a config error naming the block: a CRL that is silently skipped is a revocation that does
 * not happen.
 */
final class CrlFile {
  private static final Logger log = LoggerFactory.getLogger(CrlFile.class);
  private static final String LABEL = "X509 CRL";

  private CrlFile() {}

  static List<X509CRL> load(Origins o, Path file, List<X509Certificate> cas, Instant now) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw o.error("clients", "crl", file, "cannot read: " + ServerTls.describe(e));
    }
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    List<X509CRL> crls = new ArrayList<>();
    if (!text.contains("-----BEGIN ")) {
      crls.add(verified(o, file, parse(o, file, bytes, "the file"), "the file", cas, now));
      return List.copyOf(crls);
    }
    List<Pem.Block> blocks;
    try {
      blocks = Pem.blocks(text);
    } catch (GeneralSecurityException e) {
      throw o.error("clients", "crl", file, "not a CRL (PEM or DER): " + e.getMessage());
    }
    for (int i = 0; i < blocks.size(); i++) {
      String which = "block " + (i + 1) + " of " + blocks.size();
      Pem.Block b = blocks.get(i);
      if (!b.label().equals(LABEL)) {
        throw o.error("clients", "crl", file, which + " is a " + b.label() + "; the file must hold only "
            + LABEL + " blocks");
      }
      crls.add(verified(o, file, parse(o, file, b.der(), which), which, cas, now));
    }
    if (crls.isEmpty()) throw o.error("clients", "crl", file, "not a CRL (PEM or DER): no " + LABEL + " block");
    return List.copyOf(crls);
  }

  private static X509CRL parse(Origins o, Path file, byte[] der, String which) throws ConfigException {
    try {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      String detail = "not a CRL (PEM or DER): " + e.getMessage();
      throw o.error("clients", "crl", file, which.equals("the file") ? detail : which + " is " + detail);
    }
  }

  /** Checks that a client CA with the CRL's issuer name signed it, and may sign CRLs. */
  private static X509CRL verified(Origins o, Path file, X509CRL crl, String which, List<X509Certificate> cas,
                                  Instant now) throws ConfigException {
    String issuer = crl.getIssuerX500Principal().getName();
    String prefix = which.equals("the file") ? "" : which + " (issuer " + issuer + ") ";
    boolean named = false;
    for (X509Certificate ca : cas) {
      if (!ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) continue;
      named = true;
      boolean[] usage = ca.getKeyUsage();
      if (usage != null && (usage.length <= 6 || !usage[6])) continue; // keyUsage without cRLSign
      try {
        crl.verify(ca.getPublicKey());
        warnIfStale(file, crl, which, now);
        return crl;
      } catch (GeneralSecurityException e) {
        // try the next CA with the same name
      }
    }
    if (!named) {
      throw o.error("clients", "crl", file, prefix + "is not signed by any certificate in [clients] ca"
          + (prefix.isEmpty() ? " (issuer " + issuer + ")" : ": no CA there has that name"));
    }
    throw o.error("clients", "crl", file, prefix + "does not verify against the certificate named " + issuer
        + " in [clients] ca (wrong key, a damaged CRL, or a CA that may not sign CRLs)");
  }

  private static void warnIfStale(Path file, X509CRL crl, String which, Instant now) {
    if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(now)) {
      log.warn("CRL {} ({}, issuer {}) is past its next update ({}); it is still enforced, but publish a fresh one",
          file, which, crl.getIssuerX500Principal().getName(), crl.getNextUpdate().toInstant());
    }
  }
}
