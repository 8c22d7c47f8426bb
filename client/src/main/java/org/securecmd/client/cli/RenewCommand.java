package org.securecmd.client.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.securecmd.client.ClientException;
import org.securecmd.client.RenewalException;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.client.TpmRekey;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;
import org.securecmd.tls.Pkcs11Token;

/**
 * {@code securecmd-client renew [--rekey] [--if-expires-within DURATION] [options] HOST}: renews the device
 * certificate over the channel and installs it (see {@link FileInstall}); with a PKCS#11 key, the renewed
 * certificate is stored in the token, and {@code --rekey} generates the new key in the token
 * ({@link Pkcs11Token#replaceKey}).
 */
final class RenewCommand {
  /** The returned certificate failed our checks, or could not be installed. */
  static final int INSTALL = 5;
  /** The extension of a certificate the server issued to a TPM-attested key (docs/protocol.md). */
  static final String ATTESTED_KEY_OID = "2.25.38096654367413771180172908435135591805";

  private RenewCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err, FileInstall.Step step, Clock clock) {
    boolean rekey = false;
    Duration within = null;
    String tpm = org.securecmd.tpm.TpmSpec.DEFAULT;
    List<String> rest = new ArrayList<>();
    try {
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--rekey")) {
          rekey = true;
        } else if (args[i].equals("--tpm")) {
          if (i + 1 >= args.length) throw new Arguments.UsageException("--tpm needs a value, e.g. device:/dev/tpmrm0");
          tpm = args[++i];
          try {
            org.securecmd.tpm.TpmSpec.parse(tpm);
          } catch (IllegalArgumentException e) {
            throw new Arguments.UsageException("--tpm: " + e.getMessage());
          }
        } else if (args[i].equals("--if-expires-within")) {
          if (i + 1 >= args.length) throw new Arguments.UsageException("--if-expires-within needs a duration, e.g. 30d");
          within = duration(args[++i]);
        } else {
          rest.add(args[i]);
        }
      }
    } catch (Arguments.UsageException e) {
      return usage(err, e.getMessage());
    }
    Arguments a;
    try {
      a = Arguments.parse(rest.toArray(new String[0]));
      if (!a.request().equals("GET_SECRET")) throw new Arguments.UsageException("renew takes no COMMAND");
      if (a.cert() == null && a.pkcs11() == null) {
        throw new Arguments.UsageException("renew needs the device's --cert and --key (or a PKCS#11 key)");
      }
      if (a.pkcs11() != null && a.cert() != null) {
        throw new Arguments.UsageException("renew with a PKCS#11 key stores the certificate in the token; drop --cert");
      }
    } catch (Arguments.UsageException e) {
      return usage(err, e.getMessage());
    }
    try {
      return renew(a, new Rekey(rekey, tpm, new TokenLink("tpm2_ptool", System.getenv())), within, out, err, step,
          clock);
    } catch (GeneralSecurityException e) {
      err.println("securecmd-client: renew: " + e.getMessage());
      return Main.TLS;
    } catch (IOException e) {
      err.println("securecmd-client: renew: cannot read or write the device files: " + e.getMessage());
      return INSTALL;
    }
  }

  /** {@code --rekey}, and for a TPM-attested certificate the TPM ({@code --tpm}) and how its key enters the token. */
  record Rekey(boolean wanted, String tpm, TokenLink link) {}

  private static int renew(Arguments a, Rekey rekeying, Duration within, PrintStream out, PrintStream err,
                           FileInstall.Step step, Clock clock) throws IOException, GeneralSecurityException {
    boolean rekey = rekeying.wanted();
    FileInstall files = a.cert() != null && a.key() != null ? new FileInstall(a.cert(), a.key(), step) : null;
    if (files != null) files.recover();
    CertifiedKey current;
    Pkcs11Token token = null;
    if (a.pkcs11() != null) {
      token = a.pkcs11().open(System.getenv());
      token.finishReplacement(a.pkcs11().keyLabel()); // a rekey interrupted by a crash
      current = token.certifiedKey(a.pkcs11().keyLabel());
    } else {
      current = CertifiedKey.load(a.cert(), a.key());
    }
    X509Certificate leaf = current.leaf();
    Instant expires = leaf.getNotAfter().toInstant();
    if (within != null && expires.isAfter(clock.instant().plus(within))) {
      out.println("not due: the certificate expires " + expires + ", later than " + format(within) + " from now");
      return Main.OK;
    }
    if (rekey && leaf.getNonCriticalExtensionOIDs() != null
        && leaf.getNonCriticalExtensionOIDs().contains(ATTESTED_KEY_OID)) {
      // the server takes a new key for it only with a TPM2_Certify by the enrolled AK over its NONCE
      if (token == null || a.pkcs11().settings().tokenLabel() == null) {
        err.println("securecmd-client: renew: " + leaf.getSubjectX500Principal().getName() + " was issued to a"
            + " TPM-attested key; its rekey makes the new key in the TPM and needs the tpm2-pkcs11 token by"
            + " --pkcs11-token LABEL");
        return Main.USAGE;
      }
      return attestedRekey(a, rekeying, current, out, err);
    }
    // In a token the new key is generated there: a token object, sensitive, never extractable.
    KeyPair pair = !rekey ? new KeyPair(leaf.getPublicKey(), current.privateKey())
        : token != null ? token.generateKeyPair("secp256r1") : newKeyLike(leaf);
    HandshakeSetup setup = new HandshakeSetup.Builder().addTrustedCertificates(Pem.readCertificates(a.ca()))
        .certifiedKey(current).build();
    List<X509Certificate> chain;
    try {
      chain = new SecureCmdClient(setup, a.timeout()).renew(a.host(), a.port(), leaf, pair.getPublic(), pair.getPrivate());
    } catch (ClientException | RenewalException e) {
      return failed(e, err);
    }
    if (token != null && rekey) {
      token.replaceKey(a.pkcs11().keyLabel(), pair.getPrivate(), chain); // new stored before the old is deleted
    } else if (token != null) {
      token.installCertificate(a.pkcs11().keyLabel(), current.privateKey(), chain);
    } else {
      files.install(chain, rekey ? pair.getPrivate() : null);
    }
    out.println("renewed: serial " + chain.get(0).getSerialNumber().toString(16) + ", valid until "
        + chain.get(0).getNotAfter().toInstant() + (rekey ? ", new key" : "")
        + (token != null ? " (stored in the token)" : " (" + a.cert() + ")"));
    return Main.OK;
  }

  /** Says why RENEW got no certificate; the exit status for it (TLS, network, server refusal or install). */
  private static int failed(Exception e, PrintStream err) {
    if (e instanceof RenewalException r) {
      err.println("securecmd-client: renew: " + explain(r));
      return r.code() == null ? INSTALL : Main.SERVER_ERROR;
    }
    ClientException c = (ClientException) e;
    err.println("securecmd-client: renew: " + c.getMessage());
    return c.kind() == ClientException.Kind.TLS ? Main.TLS : Main.NETWORK;
  }

  /**
   * The rekey of a TPM-attested certificate: on a connection with the current key, the new key made in the TPM
   * and certified by the enrolled AK over a NONCE ({@link TpmRekey}); then tpm2_ptool puts it and its
   * certificate into the token in place of the old ones ({@link TokenLink#relink}).
   */
  private static int attestedRekey(Arguments a, Rekey rekeying, CertifiedKey current, PrintStream out, PrintStream err)
      throws IOException, GeneralSecurityException {
    rekeying.link().check();
    HandshakeSetup setup = new HandshakeSetup.Builder().addTrustedCertificates(Pem.readCertificates(a.ca()))
        .certifiedKey(current).build();
    List<X509Certificate> chain;
    byte[] publicArea;
    byte[] privateArea;
    try (Connection c = new SecureCmdClient(setup, a.timeout()).connect(a.host(), a.port());
         TpmRekey tpm = TpmRekey.prepare(rekeying.tpm())) { // after the handshake: swtpm serves one client
      chain = tpm.renew(c, current.leaf());
      publicArea = tpm.tlsKeyPublic();
      privateArea = tpm.tlsKeyPrivate();
    } catch (ClientException | RenewalException e) {
      return failed(e, err);
    }
    try {
      rekeying.link().relink(a.pkcs11(), org.securecmd.tpm.TpmSpec.parse(rekeying.tpm()).toString(), publicArea,
          privateArea, chain.get(0));
    } catch (GeneralSecurityException | IOException e) {
      err.println("securecmd-client: renew: the server issued serial " + chain.get(0).getSerialNumber().toString(16)
          + " for a new TPM key, but it could not be stored in the token (" + e.getMessage() + ")");
      return INSTALL;
    }
    out.println("renewed: serial " + chain.get(0).getSerialNumber().toString(16) + ", valid until "
        + chain.get(0).getNotAfter().toInstant() + ", new key (made in the TPM and certified by its AK; stored in"
        + " the token)");
    return Main.OK;
  }

  private static String explain(RenewalException e) {
    if (e.code() == null) return e.getMessage();
    String hint = e.code() == ErrorCode.NOT_DUE ? " (not due yet; run with --if-expires-within to make that a no-op)"
        : e.code() == ErrorCode.UNKNOWN_COMMAND ? " (the server does not offer renewal: no [enrollment] table)"
        : e.code() == ErrorCode.FORBIDDEN ? " (this device may not renew: revoked, expired or not in [enrollment] allow;"
            + " it must be re-provisioned)"
        : "";
    return "server refused: " + e.getMessage() + hint;
  }

  /** A new key of the current key's kind: P-256 for EC, RSA of the same size (at least 2048) for RSA. */
  private static KeyPair newKeyLike(X509Certificate leaf) throws GeneralSecurityException {
    if (leaf.getPublicKey() instanceof java.security.interfaces.RSAPublicKey rsa) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(Math.max(2048, rsa.getModulus().bitLength()));
      return g.generateKeyPair();
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /** Durations as in the server's config: a whole number and s, m, h or d ({@code 30d}). */
  static Duration duration(String text) throws Arguments.UsageException {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,6})([smhd])").matcher(text);
    if (!m.matches()) throw new Arguments.UsageException("--if-expires-within needs a duration like 30d, 12h, 90m: " + text);
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static String format(Duration d) {
    return d.toDays() > 0 && d.toHours() % 24 == 0 ? d.toDays() + "d" : d.toSeconds() + "s";
  }

  private static int usage(PrintStream err, String message) {
    err.println("securecmd-client: renew: " + message);
    err.println(Arguments.USAGE);
    return Main.USAGE;
  }
}
