package org.securecmd.client.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.securecmd.client.ClientException;
import org.securecmd.client.EnrollmentException;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.client.TpmEnrollment;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;
import org.securecmd.tpm.TpmSpec;

/**
 * {@code securecmd-client enroll --tpm SPEC [--ek rsa|ecc] PKCS11 [--ca FILE] [--port N] HOST}: TPM-attested
 * enrollment ({@link TpmEnrollment}) on a connection without a client certificate, then the TLS key made in
 * the TPM goes into the tpm2-pkcs11 token with the issued certificate ({@link TokenLink}), so that
 * {@code securecmd-client PKCS11 HOST GET_SECRET} uses it. Exit codes: 0 enrolled, 1 the server refused
 * (PENDING: run again after the operator's approval), 2 usage, 3 TLS, TPM or token failure, 4 network.
 */
final class EnrollCommand {
  private EnrollCommand() {}

  /** The enroll command line: the TPM, which EK, and the common options (PKCS#11 required, by token label). */
  record Options(String tpm, TpmEnrollment.EkChoice ek, Arguments common) {
    static Options parse(String[] args) throws Arguments.UsageException {
      String tpm = TpmSpec.DEFAULT;
      TpmEnrollment.EkChoice ek = TpmEnrollment.EkChoice.AUTO;
      List<String> rest = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--tpm") || a.equals("--ek")) {
          if (i + 1 >= args.length) throw new Arguments.UsageException(a + " needs a value");
          String v = args[++i];
          if (a.equals("--tpm")) {
            try {
              TpmSpec.parse(v);
            } catch (IllegalArgumentException e) {
              throw new Arguments.UsageException("--tpm: " + e.getMessage());
            }
            tpm = v;
          } else {
            ek = ek(v);
          }
        } else {
          rest.add(a);
        }
      }
      Arguments common = Arguments.parse(rest.toArray(new String[0]));
      if (!common.request().equals("GET_SECRET")) throw new Arguments.UsageException("enroll takes no COMMAND");
      if (common.pkcs11() == null) {
        throw new Arguments.UsageException("enroll needs the PKCS#11 options of the tpm2-pkcs11 token that will hold"
            + " the key (--pkcs11-module, --pkcs11-token, --pin-file or --pin-env)");
      }
      if (common.pkcs11().settings().tokenLabel() == null) {
        throw new Arguments.UsageException("enroll names the token by --pkcs11-token LABEL (tpm2_ptool needs the"
            + " label), not by slot");
      }
      if (common.cert() != null) {
        throw new Arguments.UsageException("enroll stores the issued certificate in the token; drop --cert");
      }
      return new Options(tpm, ek, common);
    }

    private static TpmEnrollment.EkChoice ek(String v) throws Arguments.UsageException {
      switch (v.toLowerCase(Locale.ROOT)) {
        case "rsa": return TpmEnrollment.EkChoice.RSA;
        case "ecc": return TpmEnrollment.EkChoice.ECC;
        default: throw new Arguments.UsageException("--ek must be rsa or ecc: " + v);
      }
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err, TokenLink link) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (Arguments.UsageException e) {
      err.println("securecmd-client: enroll: " + e.getMessage());
      err.println(Arguments.USAGE);
      return Main.USAGE;
    }
    try {
      return enroll(o, out, err, link);
    } catch (GeneralSecurityException e) {
      err.println("securecmd-client: enroll: " + e.getMessage());
      return Main.TLS;
    } catch (IOException e) {
      err.println("securecmd-client: enroll: " + e.getMessage());
      return Main.TLS;
    }
  }

  private static int enroll(Options o, PrintStream out, PrintStream err, TokenLink link)
      throws GeneralSecurityException, IOException {
    Arguments a = o.common();
    link.check();
    SecureCmdClient client;
    try {
      client = new SecureCmdClient(new HandshakeSetup.Builder()
          .addTrustedCertificates(Pem.readCertificates(a.ca())).build(), a.timeout());
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot read the server CA " + a.ca() + ": " + e.getMessage(), e);
    }
    List<X509Certificate> chain;
    byte[] publicArea;
    byte[] privateArea;
    String tcti;
    try (TpmEnrollment tpm = TpmEnrollment.prepare(o.tpm(), o.ek())) {
      tcti = TpmSpec.parse(o.tpm()).toString();
      try {
        chain = tpm.enroll(client, a.host(), a.port());
      } catch (ClientException e) {
        err.println("securecmd-client: enroll: " + e.getMessage());
        return e.kind() == ClientException.Kind.TLS ? Main.TLS : Main.NETWORK;
      } catch (EnrollmentException e) {
        err.println("securecmd-client: enroll: " + explain(e));
        return e.code() == null ? Main.TLS : Main.SERVER_ERROR;
      }
      tpm.keepAttestationKey();
      publicArea = tpm.tlsKeyPublic();
      privateArea = tpm.tlsKeyPrivate();
    } // closed: swtpm serves one client at a time, and tpm2_ptool is next
    try {
      link.link(a.pkcs11(), tcti, publicArea, privateArea, chain);
    } catch (GeneralSecurityException | IOException e) {
      throw new GeneralSecurityException("the server issued " + chain.get(0).getSubjectX500Principal().getName()
          + " but it could not be stored with the key in the token (" + e.getMessage() + "); fix that and run enroll"
          + " again (the server issues a new certificate to the same TPM)", e);
    }
    X509Certificate leaf = chain.get(0);
    out.println("enrolled: " + leaf.getSubjectX500Principal().getName() + ", serial "
        + leaf.getSerialNumber().toString(16) + ", valid until " + leaf.getNotAfter().toInstant() + "; key \""
        + a.pkcs11().keyLabel() + "\" in token \"" + a.pkcs11().settings().tokenLabel() + "\"");
    return Main.OK;
  }

  private static String explain(EnrollmentException e) {
    if (e.code() == null) return e.getMessage();
    String hint = e.code() == ErrorCode.PENDING
        ? " (waiting for an operator's approval: once `securecmdctl enroll approve ID NAME` ran, run enroll again)"
        : e.code() == ErrorCode.UNKNOWN_COMMAND ? " (the server has no [attestation] table)"
        : "";
    return "server refused: " + e.getMessage() + hint;
  }
}
