package org.securecmd.daemon.tls;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
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
        : certificates(o, "clients", "ca", config.clients().ca().orElseThrow());
    List<X509CRL> crls = config.clients().crl().isEmpty() ? List.of()
        : CrlFile.load(o, config.clients().crl().get(), clientCas, now);
    AnonymousClients.warning(config).ifPresent(w -> log.warn("{}: {}", config.file(), w));
    HandshakeSetup setup = new HandshakeSetup.Builder()
        .certifiedKey(serverKey)
        .addTrustedCertificates(clientCas)
        .protocols(config.tls().protocols())
        .clientAuth(switch (mode) {
          // [attestation]: a device without a certificate yet completes the handshake to enroll; the server
          // asks for a certificate without demanding one, and serves such a client the enrollment verbs only
          case REQUIRED -> config.attestation().isPresent() ? ClientAuth.OPTIONAL : ClientAuth.REQUIRED;
          case OPTIONAL -> ClientAuth.OPTIONAL;
          case NONE -> ClientAuth.NONE;
        })
        .build();
    jsseServerProperties();
    try {
      SSLContext context = setup.newSslContext();
      // The ticket_lifetime clients are told (OpenSSL, Go and Python clients stop offering a ticket after it)
      // and the life of the server's cache entries and ticket keys. JSSE itself does not refuse an old
      // session when it returns (measured: a chain of resumptions outlives any timeout, each one issuing a
      // fresh ticket), which is why AccessPolicy checks validity and revocation on every connection.
      context.getServerSessionContext().setSessionTimeout(
          (int) Math.min(Integer.MAX_VALUE, config.tls().sessionTimeout().toSeconds()));
      context.getServerSessionContext().setSessionCacheSize(config.tls().sessionCacheSize());
      SSLParameters parameters = setup.sslParameters();
      // The JDK's suite order is by strength; without this a client could steer the choice to its own first.
      parameters.setUseCipherSuitesOrder(true);
      return new TlsMaterial(context, parameters, serverKey, clientCas, crls);
    } catch (GeneralSecurityException e) {
      throw o.error("tls", "certificate", certFile, "cannot build a TLS context: " + e.getMessage());
    }
  }

  /**
   * Loads {@code [clients] crl} again, by the same rules as {@link #load} (every block, each verified against
   * the CA in {@code clientCas} that issued it), for a daemon that noticed the file changed. Empty when no
   * CRL is configured.
   */
  public static List<X509CRL> loadCrls(Config config, List<X509Certificate> clientCas, Instant now)
      throws ConfigException {
    Optional<Path> file = config.clients().crl();
    return file.isEmpty() ? List.of() : CrlFile.load(config.origins(), file.get(), clientCas, now);
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

  /**
   * TLS 1.2 lets a client start a new handshake on an open connection: a cheap way to make the server do
   * expensive work, and a way to change certificates under an identity already checked. JSSE can refuse it
   * only through this process-wide property, which it reads once, when the first server handshake runs; the
   * daemon loads its TLS material before it accepts anything, so this is set in time. (TLS 1.3 has no
   * renegotiation at all.) The same goes for the kind of TLS 1.3 ticket, below.
   */
  private static void jsseServerProperties() {
    System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    // TLS 1.3 tickets that name a session in the server's cache ([tls] session_cache_size), not tickets that
    // carry the whole session encrypted: JSSE keeps every handshake message it sends after the handshake in
    // the connection's transcript buffer, so a self-contained ticket (the session with the device's chain,
    // 700 bytes and up) stayed in memory for as long as the connection was open. Measured per idle
    // connection: 8.2 KiB of heap with self-contained tickets, 6.8 KiB with cached sessions (the cache's
    // entries included; docs/performance.md "Idle connections"). Read by each new SSLContext.
    System.setProperty("jdk.tls.server.enableSessionTicketExtension", "false");
  }

  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file";
    if (e instanceof AccessDeniedException) return "permission denied";
    return e.getMessage();
  }
}
