package org.securecmd.client.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.client.StateAttestation;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;
import org.securecmd.tls.Pkcs11Options;

/** {@code securecmd-client}: one request, its reply on stdout, a documented exit code. */
public final class Main {
  static final int OK = 0;
  static final int SERVER_ERROR = 1;
  static final int USAGE = 2;
  static final int TLS = 3;
  static final int NETWORK = 4;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && args[0].equals("renew")) {
      return RenewCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err, FileInstall.Step.NONE,
          java.time.Clock.systemUTC());
    }
    if (args.length > 0 && args[0].equals("enroll")) {
      return EnrollCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err,
          new TokenLink("tpm2_ptool", System.getenv()));
    }
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(Arguments.USAGE);
      return OK;
    }
    Arguments a;
    try {
      a = Arguments.parse(args);
    } catch (Arguments.UsageException e) {
      err.println("securecmd-client: " + e.getMessage());
      err.println(Arguments.USAGE);
      return USAGE;
    }
    HandshakeSetup setup;
    try {
      HandshakeSetup.Builder b = new HandshakeSetup.Builder().addTrustedCertificates(Pem.readCertificates(a.ca()));
      if (a.pkcs11() != null) {
        b.certifiedKey(tokenKey(a));
      } else if (a.cert() != null) {
        new FileInstall(a.cert(), a.key(), FileInstall.Step.NONE).recover(); // a renewal interrupted by a crash
        b.certifiedKey(CertifiedKey.load(a.cert(), a.key()));
      }
      setup = b.build();
    } catch (TokenException e) {
      err.println("securecmd-client: " + e.getMessage());
      return TLS;
    } catch (IOException | GeneralSecurityException e) {
      err.println("securecmd-client: cannot load TLS files: " + describe(e));
      return TLS;
    }
    try (Connection c = new SecureCmdClient(setup, a.timeout()).connect(a.host(), a.port())) {
      Reply reply = a.attest() ? attested(a, c, err) : c.send(a.request());
      if (reply.isError()) {
        err.println("securecmd-client: server refused: " + reply.line());
        return SERVER_ERROR;
      }
      out.println(reply.text());
      return OK;
    } catch (ClientException e) {
      err.println("securecmd-client: " + e.getMessage());
      return e.kind() == ClientException.Kind.TLS ? TLS : NETWORK;
    } catch (GeneralSecurityException e) {
      err.println("securecmd-client: cannot set up TLS: " + e.getMessage());
      return TLS;
    }
  }

  /**
   * {@code --attest}: a quote of every SHA-256 PCR first (the server records the values, and they cover any
   * state it has), then the command, quoting again what the server names if it still asks.
   */
  private static Reply attested(Arguments a, Connection c, PrintStream err) throws ClientException {
    try (StateAttestation tpm = StateAttestation.open(a.tpm())) {
      Reply first = tpm.prove(c, StateAttestation.ALL_PCRS);
      if (first.isError()) err.println("securecmd-client: quote refused: " + first.line());
      return tpm.send(c, a.request());
    }
  }

  /** The device key from the token, with the token's certificate chain or the one in {@code --cert}. */
  private static CertifiedKey tokenKey(Arguments a) throws IOException, GeneralSecurityException {
    Pkcs11Options p = a.pkcs11();
    CertifiedKey inToken;
    try {
      inToken = p.open(System.getenv()).certifiedKey(p.keyLabel());
    } catch (GeneralSecurityException e) {
      throw new TokenException(e.getMessage(), e);
    }
    if (a.cert() == null) return inToken;
    CertifiedKey k = new CertifiedKey(inToken.privateKey(), Pem.readCertificates(a.cert()));
    if (!k.keyMatchesLeaf()) {
      throw new GeneralSecurityException("token key \"" + p.keyLabel() + "\" does not match the certificate in " + a.cert());
    }
    return k;
  }

  /** The token could not give us the key; the message already says what to fix. */
  private static final class TokenException extends GeneralSecurityException {
    TokenException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) return "no such file: " + e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) return "permission denied: " + e.getMessage();
    return e.getMessage();
  }
}
