package org.securecmd.pki.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.securecmd.pki.CaDirectory;
import org.securecmd.pki.DeviceRequest;
import org.securecmd.ca.Index;
import org.securecmd.ca.OutputFiles;
import org.securecmd.pki.device.Enrollment;
import org.securecmd.tls.Pem;
import org.securecmd.tls.Pkcs11Options;

/**
 * {@code securecmd-pki SUBCOMMAND --option value ...}: see {@link #USAGE}. This class is over 150 lines
 * because it is the one table of subcommands; each arm only parses options and calls the library.
 */
public final class Main {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE_ERROR = 2;
  static final int TOKEN = 3;

  static final String USAGE = """
      usage: securecmd-pki SUBCOMMAND [--option value]...
       CA side (DIR holds ca.key 0600, ca.crt, index.txt):
        init-ca     --ca-dir DIR --cn NAME [--key-type ec|rsa] [--days 3650]    P-256 (ec) or RSA-4096 CA
        init-intermediate --ca-dir ROOT --out-dir DIR --cn NAME [--key-type ec|rsa] [--days 1825]
                    an issuing CA signed by ROOT (for the daemon's [enrollment]; ROOT's key stays here)
        server-cert --ca-dir DIR --cn NAME [--ip ADDR]... [--dns NAME]... --out PREFIX [--days 825]
                    writes PREFIX.crt and PREFIX.key (P-256, 0600); EKU serverAuth
        sign-csr    --ca-dir DIR --csr FILE --out FILE [--device-id ID] [--days 365]
                    device certificate: CN=ID, URI urn:securecmd:device:ID, EKU clientAuth (ID: the CSR's CN)
        sign-dir    --ca-dir DIR --in DIR --out DIR [--days 365]    every IN/NAME.csr to OUT/NAME.crt
        revoke      --ca-dir DIR (--device ID | --serial HEX) [--reason unspecified|keyCompromise|...]
        crl         --ca-dir DIR --out FILE [--days 7]              the daemon's [clients] crl
        list        --ca-dir DIR
       Device side (the key is created in and never leaves the PKCS#11 token):
        device-csr   --pkcs11-module LIB [--pkcs11-token LABEL | --pkcs11-slot ID] [--pkcs11-key LABEL]
                     (--pin-file FILE | --pin-env VAR) --device-id ID --out FILE
        install-cert --pkcs11-module LIB [--pkcs11-token LABEL | --pkcs11-slot ID] [--pkcs11-key LABEL]
                     (--pin-file FILE | --pin-env VAR) --cert FILE
      exit codes: 0 ok, 1 refused or failed, 2 usage, 3 PKCS#11 token failure""";

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? USAGE_ERROR : OK;
    }
    try {
      return dispatch(args, out, err);
    } catch (Options.UsageException e) {
      err.println("securecmd-pki: " + e.getMessage());
      err.println(USAGE);
      return USAGE_ERROR;
    } catch (TokenFailure e) {
      err.println("securecmd-pki: " + e.getMessage());
      return TOKEN;
    } catch (IOException | GeneralSecurityException e) {
      err.println("securecmd-pki: " + args[0] + ": " + e.getMessage());
      return FAILED;
    }
  }

  private static int dispatch(String[] args, PrintStream out, PrintStream err)
      throws Options.UsageException, IOException, GeneralSecurityException {
    switch (args[0]) {
      case "init-ca" -> {
        Options o = Options.parse(args, 1, Set.of("ca-dir", "cn", "key-type", "days"), Set.of()).require("ca-dir", "cn");
        CaDirectory ca = CaDirectory.create(Path.of(o.required("ca-dir")), o.required("cn"),
            o.optional("key-type", "ec"), Duration.ofDays(o.days("days", 3650)));
        out.println("created CA " + ca.certificate().getSubjectX500Principal().getName() + " in " + o.required("ca-dir"));
      }
      case "init-intermediate" -> {
        Options o = Options.parse(args, 1, Set.of("ca-dir", "out-dir", "cn", "key-type", "days"), Set.of())
            .require("ca-dir", "out-dir", "cn");
        CaDirectory root = CaDirectory.open(Path.of(o.required("ca-dir")));
        CaDirectory issuing = root.createIntermediate(Path.of(o.required("out-dir")), o.required("cn"),
            o.optional("key-type", "ec"), Duration.ofDays(o.days("days", 1825)));
        out.println("created issuing CA " + issuing.certificate().getSubjectX500Principal().getName() + " serial "
            + issuing.certificate().getSerialNumber().toString(16) + " in " + o.required("out-dir")
            + ", signed by " + root.certificate().getSubjectX500Principal().getName());
      }
      case "server-cert" -> {
        Options o = Options.parse(args, 1, Set.of("ca-dir", "cn", "ip", "dns", "out", "days"), Set.of("ip", "dns")).require("ca-dir", "cn", "out");
        CaDirectory ca = CaDirectory.open(Path.of(o.required("ca-dir")));
        String prefix = o.required("out");
        CaDirectory.Issued s = ca.issueServer(o.required("cn"), o.all("ip"), o.all("dns"),
            Duration.ofDays(o.days("days", 825)));
        OutputFiles.writeSecret(Path.of(prefix + ".key"), CaDirectory.pem("PRIVATE KEY", s.keyPair().getPrivate().getEncoded()));
        OutputFiles.writeAtomically(Path.of(prefix + ".crt"), CaDirectory.pem("CERTIFICATE", s.certificate().getEncoded()));
        out.println("issued server certificate serial " + s.certificate().getSerialNumber().toString(16) + ": "
            + prefix + ".crt, " + prefix + ".key");
      }
      case "sign-csr" -> {
        Options o = Options.parse(args, 1, Set.of("ca-dir", "csr", "out", "device-id", "days"), Set.of()).require("ca-dir", "csr", "out");
        CaDirectory ca = CaDirectory.open(Path.of(o.required("ca-dir")));
        DeviceRequest r = DeviceRequest.read(Path.of(o.required("csr")), o.optional("device-id", null));
        X509Certificate c = ca.signDevice(r, Duration.ofDays(o.days("days", 365)));
        OutputFiles.writeAtomically(Path.of(o.required("out")), CaDirectory.pem("CERTIFICATE", c.getEncoded()));
        out.println("issued device " + r.deviceId() + " serial " + c.getSerialNumber().toString(16) + ": " + o.required("out"));
      }
      case "sign-dir" -> {
        Options o = Options.parse(args, 1, Set.of("ca-dir", "in", "out", "days"), Set.of()).require("ca-dir", "in", "out");
        return signDir(o, out, err);
      }
      case "revoke" -> {
        Options o = Options.parse(args, 1, Set.of("ca-dir", "device", "serial", "reason"), Set.of()).require("ca-dir");
        if (o.has("device") == o.has("serial")) throw new Options.UsageException("give exactly one of --device or --serial");
        CaDirectory ca = CaDirectory.open(Path.of(o.required("ca-dir")));
        String what = o.has("device") ? o.required("device") : o.required("serial");
        for (Index.Entry e : ca.revoke(what, o.optional("reason", "unspecified"))) {
          out.println("revoked " + e.kind() + " " + e.name() + " serial " + e.serial().toString(16));
        }
        out.println("now run: securecmd-pki crl, then reload the daemon");
      }
      case "crl" -> {
        Options o = Options.parse(args, 1, Set.of("ca-dir", "out", "days"), Set.of()).require("ca-dir", "out");
        X509CRL crl = CaDirectory.open(Path.of(o.required("ca-dir"))).crl(Duration.ofDays(o.days("days", 7)));
        OutputFiles.writeAtomically(Path.of(o.required("out")), CaDirectory.pem("X509 CRL", crl.getEncoded()));
        int n = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
        out.println("wrote CRL with " + n + " revoked certificate(s), next update " + crl.getNextUpdate().toInstant()
            + ": " + o.required("out"));
      }
      case "list" -> {
        Options o = Options.parse(args, 1, Set.of("ca-dir"), Set.of()).require("ca-dir");
        CaDirectory ca = CaDirectory.open(Path.of(o.required("ca-dir")));
        out.printf("%-32s  %-7s  %-20s  %-6s  %s%n", "SERIAL", "STATUS", "NOT-AFTER", "KIND", "NAME");
        for (Index.Entry e : ca.index().entries()) {
          out.printf("%-32s  %-7s  %-20s  %-6s  %s%n", e.serial().toString(16), e.revoked() ? "revoked" : "valid",
              e.notAfter(), e.kind(), e.name());
        }
      }
      case "device-csr" -> {
        Options o = Options.parse(args, 1, union(Pkcs11Options.NAMES, "device-id", "out"), Set.of()).require("pkcs11-module", "device-id", "out");
        Pkcs11Options key = tokenKey(o);
        String id = o.required("device-id");
        Path outFile = Path.of(o.required("out"));
        if (!DeviceRequest.DEVICE_ID.matcher(id).matches()) {
          throw new Options.UsageException("--device-id must match " + DeviceRequest.DEVICE_ID.pattern() + ": " + id);
        }
        PKCS10CertificationRequest csr = token(() -> Enrollment.createKeyAndCsr(key.open(System.getenv()), key.keyLabel(), id));
        OutputFiles.writeAtomically(outFile, CaDirectory.pem("CERTIFICATE REQUEST", csr.getEncoded()));
        out.println("created key \"" + key.keyLabel() + "\" in the token and CSR for " + id + ": " + outFile);
      }
      case "install-cert" -> {
        Options o = Options.parse(args, 1, union(Pkcs11Options.NAMES, "cert"), Set.of()).require("pkcs11-module", "cert");
        Pkcs11Options key = tokenKey(o);
        List<X509Certificate> chain = Pem.readCertificates(Path.of(o.required("cert")));
        token(() -> {
          Enrollment.installCertificate(key.open(System.getenv()), key.keyLabel(), chain);
          return null;
        });
        out.println("installed " + chain.get(0).getSubjectX500Principal().getName() + " for key \""
            + key.keyLabel() + "\"");
      }
      default -> throw new Options.UsageException("unknown subcommand " + args[0]);
    }
    return OK;
  }

  private static int signDir(Options o, PrintStream out, PrintStream err)
      throws Options.UsageException, IOException, GeneralSecurityException {
    CaDirectory ca = CaDirectory.open(Path.of(o.required("ca-dir")));
    Path outDir = Files.createDirectories(Path.of(o.required("out")));
    Duration validity = Duration.ofDays(o.days("days", 365));
    int signed = 0;
    int refused = 0;
    try (DirectoryStream<Path> csrs = Files.newDirectoryStream(Path.of(o.required("in")), "*.csr")) {
      for (Path csr : csrs) {
        String name = csr.getFileName().toString().replaceFirst("\\.csr$", "");
        try {
          X509Certificate c = ca.signDevice(DeviceRequest.read(csr, null), validity);
          OutputFiles.writeAtomically(outDir.resolve(name + ".crt"), CaDirectory.pem("CERTIFICATE", c.getEncoded()));
          signed++;
        } catch (GeneralSecurityException e) {
          err.println("securecmd-pki: sign-dir: refused " + e.getMessage());
          refused++;
        }
      }
    }
    out.println("signed " + signed + ", refused " + refused);
    return refused == 0 ? OK : FAILED;
  }

  private static Set<String> union(Set<String> a, String... more) {
    java.util.Set<String> s = new java.util.TreeSet<>(a);
    s.addAll(List.of(more));
    return s;
  }

  /** The token options shared with securecmd-client (names, one-of rules, messages); the PIN is read later. */
  private static Pkcs11Options tokenKey(Options o) throws Options.UsageException {
    try {
      return Pkcs11Options.from(o.given(Pkcs11Options.NAMES)).orElseThrow();  // --pkcs11-module is required
    } catch (IllegalArgumentException e) {
      throw new Options.UsageException(e.getMessage());
    }
  }

  private interface TokenStep<T> {
    T run() throws Options.UsageException, GeneralSecurityException;
  }

  /** Runs a step that talks to the token; its security failures are token failures (exit code 3). */
  private static <T> T token(TokenStep<T> step) throws Options.UsageException, TokenFailure {
    try {
      return step.run();
    } catch (GeneralSecurityException | java.security.ProviderException e) {
      throw new TokenFailure(e.getMessage(), e);
    }
  }

  private static final class TokenFailure extends GeneralSecurityException {
    TokenFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
