package org.securecmd.client.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.securecmd.tls.Pkcs11Options;

/**
 * The parsed command line, on top of the client config file. Defaults are the paths a device image
 * installs. The config file is a Java {@code .properties} file whose keys are the long option names
 * without {@code --} (plus {@code host}); a command-line option wins over the file.
 */
record Arguments(String host, int port, Path ca, Path cert, Path key, Pkcs11Options pkcs11, Duration timeout,
                 String request, boolean attest, String tpm) {
  static final Path DEFAULT_CONFIG = Path.of("/etc/securecmd/client.properties");
  static final Path DEFAULT_CA = Path.of("/etc/securecmd/server_ca.pem");
  static final Path DEFAULT_CERT = Path.of("/etc/securecmd/client.crt");
  static final Path DEFAULT_KEY = Path.of("/etc/securecmd/client.key");
  private static final Set<String> KEYS = keys();

  static final String USAGE = """
      usage: securecmd-client [--config FILE] [--port N] [--ca FILE] [--cert FILE (--key FILE | PKCS11)]
                              [--timeout SECONDS] [--attest [--tpm SPEC]] HOST [COMMAND...]
             securecmd-client renew [--rekey [--tpm SPEC]] [--if-expires-within DURATION] [the options above] HOST
             securecmd-client enroll [--tpm SPEC] [--ek rsa|ecc] PKCS11 [--ca FILE] [--port N] HOST
        renew           renew this device's certificate over the channel and install it in place (the
                        old files are kept as FILE.old); --rekey makes a new key (PEM, mode 0600, or
                        generated inside the PKCS#11 token, which then also holds the certificate);
                        --if-expires-within 30d does nothing (exit 0) unless it expires within 30 days
        enroll          TPM-attested enrollment of a device without a certificate: proves to the server that
                        a new key lives in this TPM, and puts that key and the issued certificate into the
                        tpm2-pkcs11 token PKCS11 names (--pkcs11-token LABEL; needs tpm2_ptool, package
                        tpm2-pkcs11-tools); afterwards the same PKCS11 options connect with it. Exit 1 with
                        ERR PENDING: run it again once an operator approved the request
        --tpm SPEC      the TPM for enroll, --attest, and renew --rekey of a TPM-attested certificate (the
                        new key is made in the TPM and certified by its AK): device:/dev/tpmrm0 (default) or
                        swtpm:host=H,port=P
        --ek rsa|ecc    enroll: the endorsement key to prove the TPM with (default: RSA if the TPM holds its
                        certificate, else ECC)
        --config FILE   settings file (default /etc/securecmd/client.properties if it exists): key = value
                        lines, keys are the option names below without "--", and host
        --port N        server port (default 5000)
        --ca FILE       CA certificate(s) that signed the server's certificate (default /etc/securecmd/server_ca.pem)
        --cert FILE     this device's certificate chain, PEM (default /etc/securecmd/client.crt if it and client.key exist)
        --key FILE      this device's private key, PEM (PKCS#8, SEC1 or PKCS#1)
        --timeout S     seconds to wait for connect, handshake and reply (default 10)
        COMMAND...      the request; several words are sent as one line (default GET_SECRET)
        --attest        prove this device's measured state with its TPM on the connection: quote every
                        SHA-256 PCR first, and the PCRs the server names when it answers
                        ERR ATTESTATION_REQUIRED, then send the command again (the AK enrollment persisted)
      PKCS11 (a key inside a TPM or token, instead of --key; the certificate is read from the token
      unless --cert is given):
        --pkcs11-module PATH        the PKCS#11 library, e.g. /usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so
        --pkcs11-token LABEL | --pkcs11-slot ID | --pkcs11-slot-index N   which token (default: index 0)
        --pkcs11-key LABEL          the key's label (default "device")
        --pin-file FILE | --pin-env VAR            where the user PIN is; never on the command line
      exit codes: 0 ok (renew: renewed, or not due; enroll: enrolled), 1 the server answered ERR, 2 usage, 3 TLS,
      certificate, TPM or token failure, 4 network failure, 5 renew: the returned certificate failed the checks or could not be installed""";

  /** Thrown for a command line that cannot be used; the message says why. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  private static Set<String> keys() {
    Set<String> k = new TreeSet<>(Set.of("host", "port", "ca", "cert", "key", "timeout", "tpm"));
    k.addAll(Pkcs11Options.NAMES);
    return Set.copyOf(k);
  }

  static Arguments parse(String[] args) throws UsageException {
    Map<String, String> options = new LinkedHashMap<>();
    Path config = null;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!rest.isEmpty() || !a.startsWith("--")) {
        rest.add(a);
        continue;
      }
      String name = a.substring(2);
      if (name.equals("attest")) {
        options.put("attest", "true"); // a flag: no value
      } else if (name.equals("config")) {
        config = Path.of(value(args, ++i, a));
      } else if (KEYS.contains(name) && !name.equals("host")) {
        options.put(name, value(args, ++i, a));
      } else {
        throw new UsageException("unknown option " + a);
      }
    }
    Map<String, String> s = new LinkedHashMap<>(readConfig(config));
    s.putAll(options);
    if (!rest.isEmpty()) s.put("host", rest.get(0));
    return from(s, rest.size() <= 1 ? "GET_SECRET" : String.join(" ", rest.subList(1, rest.size())));
  }

  private static Arguments from(Map<String, String> s, String request) throws UsageException {
    String host = s.get("host");
    if (host == null) throw new UsageException("missing HOST");
    int port = s.containsKey("port") ? port(s.get("port")) : 5000;
    Path ca = s.containsKey("ca") ? Path.of(s.get("ca")) : DEFAULT_CA;
    Path cert = s.containsKey("cert") ? Path.of(s.get("cert")) : null;
    Path key = s.containsKey("key") ? Path.of(s.get("key")) : null;
    Duration timeout = Duration.ofSeconds(s.containsKey("timeout") ? positive(s.get("timeout"), "--timeout") : 10);
    Pkcs11Options pkcs11;
    try {
      pkcs11 = Pkcs11Options.from(s).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (pkcs11 != null) {
      if (key != null) throw new UsageException("--key and --pkcs11-module exclude each other");
    } else {
      if ((cert == null) != (key == null)) throw new UsageException("--cert and --key go together");
      if (cert == null && Files.isReadable(DEFAULT_CERT) && Files.isReadable(DEFAULT_KEY)) {
        cert = DEFAULT_CERT;
        key = DEFAULT_KEY;
      }
    }
    boolean attest = s.containsKey("attest");
    return new Arguments(host, port, ca, cert, key, pkcs11, timeout, request, attest,
        s.getOrDefault("tpm", "device:/dev/tpmrm0"));
  }

  /** The settings in {@code file}, or in the default file if it exists and {@code file} is null. */
  private static Map<String, String> readConfig(Path file) throws UsageException {
    Path f = file != null ? file : Files.isReadable(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
    if (f == null) return Map.of();
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new UsageException("cannot read config " + f + ": " + e.getMessage());
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String k : new TreeSet<>(p.stringPropertyNames())) {
      if (!KEYS.contains(k)) {
        throw new UsageException(f + ": unknown key \"" + k + "\"; allowed: " + new TreeSet<>(KEYS));
      }
      m.put(k, p.getProperty(k).trim());
    }
    return m;
  }

  private static String value(String[] args, int i, String option) throws UsageException {
    if (i >= args.length) throw new UsageException(option + " needs a value");
    return args[i];
  }

  private static int port(String s) throws UsageException {
    int p = positive(s, "--port");
    if (p > 65535) throw new UsageException("--port must be 1..65535: " + s);
    return p;
  }

  static int positive(String s, String option) throws UsageException {
    try {
      int n = Integer.parseInt(s);
      if (n < 1) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " needs a positive whole number: " + s);
    }
  }
}
