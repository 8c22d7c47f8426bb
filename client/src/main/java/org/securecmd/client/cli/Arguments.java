package org.securecmd.client.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The parsed command line. Defaults are the paths a device image installs. */
record Arguments(String host, int port, Path ca, Path cert, Path key, Duration timeout, String request) {
  static final Path DEFAULT_CA = Path.of("/etc/securecmd/server_ca.pem");
  static final Path DEFAULT_CERT = Path.of("/etc/securecmd/client.crt");
  static final Path DEFAULT_KEY = Path.of("/etc/securecmd/client.key");

  static final String USAGE = """
      usage: securecmd-client [--port N] [--ca FILE] [--cert FILE --key FILE] [--timeout SECONDS] HOST [COMMAND...]
        --port N        server port (default 5000)
        --ca FILE       CA certificate(s) that signed the server's certificate (default /etc/securecmd/server_ca.pem)
        --cert FILE     this device's certificate chain, PEM (default /etc/securecmd/client.crt if it and client.key exist)
        --key FILE      this device's private key, PEM (PKCS#8, SEC1 or PKCS#1)
        --timeout S     seconds to wait for connect, handshake and reply (default 10)
        COMMAND...      the request; several words are sent as one line (default GET_SECRET)
      exit codes: 0 ok, 1 the server answered ERR, 2 usage, 3 TLS or certificate failure, 4 network failure""";

  /** Thrown for a command line that cannot be used; the message says why. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static Arguments parse(String[] args) throws UsageException {
    int port = 5000;
    Path ca = DEFAULT_CA;
    Path cert = null;
    Path key = null;
    Duration timeout = Duration.ofSeconds(10);
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!rest.isEmpty() || !a.startsWith("--")) {
        rest.add(a);
        continue;
      }
      switch (a) {
        case "--port" -> port = port(value(args, ++i, a));
        case "--ca" -> ca = Path.of(value(args, ++i, a));
        case "--cert" -> cert = Path.of(value(args, ++i, a));
        case "--key" -> key = Path.of(value(args, ++i, a));
        case "--timeout" -> timeout = Duration.ofSeconds(positive(value(args, ++i, a), a));
        default -> throw new UsageException("unknown option " + a);
      }
    }
    if (rest.isEmpty()) throw new UsageException("missing HOST");
    if ((cert == null) != (key == null)) throw new UsageException("--cert and --key go together");
    if (cert == null && Files.isReadable(DEFAULT_CERT) && Files.isReadable(DEFAULT_KEY)) {
      cert = DEFAULT_CERT;
      key = DEFAULT_KEY;
    }
    String request = rest.size() == 1 ? "GET_SECRET" : String.join(" ", rest.subList(1, rest.size()));
    return new Arguments(rest.get(0), port, ca, cert, key, timeout, request);
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

  private static int positive(String s, String option) throws UsageException {
    try {
      int n = Integer.parseInt(s);
      if (n < 1) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " needs a positive whole number: " + s);
    }
  }
}
