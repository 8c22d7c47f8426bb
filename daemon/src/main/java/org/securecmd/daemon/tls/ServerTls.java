package org.securecmd.daemon.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.securecmd.daemon.config.ClientAuthMode;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.Origins;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.ClientAuth;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the files a config names and turns them into {@link TlsMaterial}. Every failure is a
 * {@link ConfigException} at the key that names the file, so the operator sees which setting to fix.
 */
public final class ServerTls {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  private ServerTls() {}

  public static TlsMaterial load(Config config, Instant now) throws ConfigException {
    Origins o = config.origins();
    Path certFile = config.tls().certificate();
    Path keyFile = config.tls().privateKey();
    List<X509Certificate> chain = certificates(o, "tls", "certificate", certFile);
    checkKeyPermissions(o, keyFile);
    CertifiedKey serverKey;
    try {
      serverKey = new CertifiedKey(Pem.readPrivateKey(keyFile), chain);
      if (!serverKey.keyMatchesLeaf()) {
        throw o.error("tls", "private_key", keyFile, "does not match the certificate in " + certFile);
      }
    } catch (IOException e) {
      throw o.error("tls", "private_key", keyFile, "cannot read: " + describe(e));
    } catch (GeneralSecurityException e) {
      throw o.error("tls", "private_key", keyFile, e.getMessage());
    }
    checkValidity(o, chain.get(0), certFile, now);

    ClientAuthMode mode = config.clients().auth();
    List<X509Certificate> clientCas = mode == ClientAuthMode.NONE ? List.of()
        : certificates(o, "clients", "ca", config.clients().ca());
    X509CRL crl = config.clients().crl() == null ? null : crl(o, config.clients().crl(), clientCas, now);
    HandshakeSetup setup = new HandshakeSetup.Builder()
        .certifiedKey(serverKey)
        .addTrustedCertificates(clientCas)
        .protocols(config.tls().protocols())
        .clientAuth(switch (mode) {
          case REQUIRED -> ClientAuth.REQUIRED;
          case OPTIONAL -> ClientAuth.OPTIONAL;
          case NONE -> ClientAuth.NONE;
        })
        .build();
    try {
      return new TlsMaterial(setup.newSslContext(), setup.sslParameters(), serverKey, clientCas, crl);
    } catch (GeneralSecurityException e) {
      throw o.error("tls", "certificate", certFile, "cannot build a TLS context: " + e.getMessage());
    }
  }

  /**
   * Loads {@code [clients] crl} again, by the same rules as {@link #load} (PEM or DER, signed by one of
   * {@code clientCas}), for a daemon that noticed the file changed. Empty when no CRL is configured.
   */
  public static List<X509CRL> loadCrls(Config config, List<X509Certificate> clientCas, Instant now)
      throws ConfigException {
    Path file = config.clients().crl();
    return file == null ? List.of() : List.of(crl(config.origins(), file, clientCas, now));
  }

  private static List<X509Certificate> certificates(Origins o, String table, String key, Path file)
      throws ConfigException {
    try {
      return Pem.readCertificates(file);
    } catch (IOException e) {
      throw o.error(table, key, file, "cannot read: " + describe(e));
    } catch (GeneralSecurityException e) {
      throw o.error(table, key, file, "not a PEM certificate file: " + e.getMessage());
    }
  }

  /** A key that others can read is a key that is no longer secret: refuse rather than serve with it. */
  private static void checkKeyPermissions(Origins o, Path keyFile) throws ConfigException {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
      if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw o.error("tls", "private_key", keyFile, "is accessible by all users (mode "
            + java.nio.file.attribute.PosixFilePermissions.toString(perms)
            + "); run: chmod 0640 " + keyFile + " (or 0600)");
      }
      if (!Files.isReadable(keyFile)) throw o.error("tls", "private_key", keyFile, "cannot read: permission denied");
    } catch (IOException e) {
      throw o.error("tls", "private_key", keyFile, "cannot read: " + describe(e));
    }
  }

  private static void checkValidity(Origins o, X509Certificate leaf, Path file, Instant now) throws ConfigException {
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw o.error("tls", "certificate", file, "the server certificate expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw o.error("tls", "certificate", file, "the server certificate is not valid before "
          + leaf.getNotBefore().toInstant());
    }
  }

  /** Reads a PEM or DER CRL and checks that one of the client CAs signed it. */
  private static X509CRL crl(Origins o, Path file, List<X509Certificate> cas, Instant now) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw o.error("clients", "crl", file, "cannot read: " + describe(e));
    }
    X509CRL crl;
    try {
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      if (text.contains("-----BEGIN X509 CRL-----")) {
        bytes = Pem.blocks(text).stream().filter(b -> b.label().equals("X509 CRL")).findFirst().orElseThrow().der();
      }
      crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(bytes));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw o.error("clients", "crl", file, "not a CRL (PEM or DER): " + e.getMessage());
    }
    boolean signed = false;
    for (X509Certificate ca : cas) {
      if (!ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) continue;
      try {
        crl.verify(ca.getPublicKey());
        signed = true;
      } catch (GeneralSecurityException e) {
        // try the next CA with the same name
      }
    }
    if (!signed) {
      throw o.error("clients", "crl", file, "is not signed by any certificate in [clients] ca (issuer "
          + crl.getIssuerX500Principal().getName() + ")");
    }
    if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(now)) {
      log.warn("CRL {} is past its next update ({}); it is still enforced, but publish a fresh one", file,
          crl.getNextUpdate().toInstant());
    }
    return crl;
  }

  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file";
    if (e instanceof AccessDeniedException) return "permission denied";
    return e.getMessage();
  }
}
