package org.securecmd.tpm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which TPM to talk to, in the TPM software stack's TCTI syntax:
 * <pre>
 *   device:/dev/tpmrm0                   the kernel's resource manager (the default)
 *   swtpm:host=127.0.0.1,port=2321       swtpm's TCP command port (tests, development)
 * </pre>
 * {@code device} alone means {@code /dev/tpmrm0}; {@code swtpm} alone means localhost port 2321, as in
 * tpm2-tss. Other TCTIs (tabrmd, mssim) are refused with the list of what is supported.
 */
public sealed interface TpmSpec {
  /** The spec used when none is given. */
  String DEFAULT = "device:/dev/tpmrm0";

  /** Opens a transport to this TPM; the message of a failure names the spec. */
  TpmTransport open() throws IOException;

  /** A TPM character device. */
  record Device(Path path) implements TpmSpec {
    @Override
    public TpmTransport open() throws IOException {
      try {
        return new DeviceTransport(path);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IOException("device:" + path + ": no such device (no TPM, or its driver is not loaded)", e);
      } catch (java.nio.file.AccessDeniedException e) {
        throw new IOException("device:" + path + ": permission denied (the user needs the tss group)", e);
      } catch (IOException e) {
        throw new IOException("device:" + path + ": " + e, e);
      }
    }

    @Override
    public String toString() {
      return "device:" + path;
    }
  }

  /** swtpm's TCP command port. */
  record Swtpm(String host, int port) implements TpmSpec {
    @Override
    public TpmTransport open() throws IOException {
      return new SwtpmTransport(host, port, 10_000);
    }

    @Override
    public String toString() {
      return "swtpm:host=" + host + ",port=" + port;
    }
  }

  /**
   * Parses {@code spec}.
   *
   * @throws IllegalArgumentException naming the spec, what is wrong and what is allowed
   */
  public static TpmSpec parse(String spec) {
    if (spec == null || spec.isBlank()) throw bad(String.valueOf(spec), "empty");
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? spec : spec.substring(0, colon);
    String conf = colon < 0 ? "" : spec.substring(colon + 1);
    switch (kind) {
      case "device": {
        if (conf.isEmpty()) return new Device(Path.of("/dev/tpmrm0"));
        if (!conf.startsWith("/")) throw bad(spec, "the device path must be absolute, e.g. device:/dev/tpmrm0");
        return new Device(Path.of(conf));
      }
      case "swtpm":
        return swtpm(spec, conf);
      default:
        throw bad(spec, "unsupported TCTI \"" + kind + "\"");
    }
  }

  private static TpmSpec swtpm(String spec, String conf) {
    Map<String, String> options = new LinkedHashMap<>();
    if (!conf.isEmpty()) {
      for (String part : conf.split(",", -1)) {
        int eq = part.indexOf('=');
        if (eq <= 0 || eq == part.length() - 1) throw bad(spec, "\"" + part + "\" is not key=value");
        String key = part.substring(0, eq);
        if (!key.equals("host") && !key.equals("port")) {
          throw bad(spec, "unknown swtpm option \"" + key + "\": expected host and port");
        }
        if (options.put(key, part.substring(eq + 1)) != null) throw bad(spec, "\"" + key + "\" given twice");
      }
    }
    String portText = options.getOrDefault("port", "2321");
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw bad(spec, "port \"" + portText + "\" is not a number");
    }
    if (port < 1 || port > 65535) throw bad(spec, "port " + port + " is out of range 1-65535");
    return new Swtpm(options.getOrDefault("host", "localhost"), port);
  }

  private static IllegalArgumentException bad(String spec, String why) {
    return new IllegalArgumentException("TPM \"" + spec + "\": " + why
        + "; expected device:/dev/tpmrm0 (the default) or swtpm:host=HOST,port=PORT");
  }
}
