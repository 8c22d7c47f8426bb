package org.securecmd.bench.pkcs11;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh SoftHSM2 token. SoftHSM reads {@code SOFTHSM2_CONF} when the module is loaded, so
 * bench/pkcs11-bench.sh sets it (into its own fresh work directory); this class writes that file and the
 * token directory beside it.
 */
final class SoftHsmToken {
  static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

  private SoftHsmToken() {}

  /** Initialises a token labelled {@code label} with user PIN {@code pin}; returns its slot id. */
  static long init(String label, String pin) throws IOException, InterruptedException {
    if (!Files.isRegularFile(MODULE)) {
      throw new IOException(MODULE + " is missing: install softhsm2 (see scripts/ci-packages-pki.txt)");
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) throw new IOException("SOFTHSM2_CONF is not set: run bench/pkcs11-bench.sh");
    Path confFile = Path.of(conf);
    Path tokens = Files.createDirectories(confFile.resolveSibling("tokens"));
    Files.writeString(confFile,
        "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    String out = Commands.run(List.of("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin,
        "--so-pin", "5678"), Map.of(), 60);
    Matcher m = SLOT.matcher(out);
    if (!m.find()) throw new IOException("softhsm2-util did not say which slot: " + out);
    return Long.parseLong(m.group(1));
  }
}
