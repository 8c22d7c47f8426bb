package org.securecmd.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.Pkcs11Options;
import org.securecmd.tls.Pkcs11Token;

/**
 * Puts a key made inside the TPM into the tpm2-pkcs11 token the PKCS#11 options name, with its certificate,
 * so the client's TLS finds it there: {@code tpm2_ptool link} (the key's {@code .pub} and {@code .priv}; its
 * parent must be the token's primary), {@code tpm2_ptool addcert} (the leaf, with the key's CKA_ID and its
 * label, which makes the key visible to SunPKCS11), then the rest of the chain through SunPKCS11 as
 * {@code renew} stores it. The client stays JDK-only: tpm2_ptool (package tpm2-pkcs11-tools) runs as a child
 * process, and must be installed on the board for {@code enroll}. tpm2_ptool takes the user PIN only as an
 * argument, so it is visible in the process list while link runs.
 */
final class TokenLink {
  private static final long TOOL_SECONDS = 120;
  private final String tool;
  private final Map<String, String> environment;

  /**
   * @param tool the tpm2_ptool command (a name looked up in PATH, or a path)
   * @param environment this process's environment; {@code TPM2TOOLS_TCTI} is added for the child when unset
   */
  TokenLink(String tool, Map<String, String> environment) {
    this.tool = tool;
    this.environment = environment;
  }

  /** Whether the tool is there: checked before the server issues anything. */
  void check() throws GeneralSecurityException {
    if (tool.contains("/") ? Files.isExecutable(Path.of(tool)) : onPath()) return;
    throw new GeneralSecurityException(tool + " not found: enroll needs tpm2-pkcs11's tools on the device"
        + " (Debian: apt install tpm2-pkcs11-tools; Yocto: tpm2-pkcs11 from meta-security's meta-tpm)");
  }

  private boolean onPath() {
    for (String dir : environment.getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return false;
  }

  /**
   * Links the key ({@code publicArea}: TPM2B_PUBLIC, {@code privateArea}: TPM2B_PRIVATE) into the token as
   * {@code options.keyLabel()} in place of a key of that label (a board that enrolled before; {@link #relink}),
   * stores {@code chain} with it, checks that the token shows them, and returns the
   * token opened afresh (so it sees the new objects). {@code tcti} is the TPM the key lives in, for tpm2_ptool
   * when {@code TPM2TOOLS_TCTI} is unset.
   */
  Pkcs11Token link(Pkcs11Options options, String tcti, byte[] publicArea, byte[] privateArea,
                   List<X509Certificate> chain) throws GeneralSecurityException, IOException {
    String token = options.settings().tokenLabel();
    String label = options.keyLabel();
    relink(options, tcti, publicArea, privateArea, chain.get(0));
    Pkcs11Token opened = options.open(environment);
    CertifiedKey inToken = opened.certifiedKey(label);
    if (chain.size() > 1) {
      opened.installCertificate(label, inToken.privateKey(), chain); // the issuing CAs too, as renew stores them
      inToken = opened.certifiedKey(label);
    }
    if (!inToken.leaf().equals(chain.get(0))) {
      throw new GeneralSecurityException("token \"" + token + "\" shows another certificate for key \"" + label
          + "\" (" + inToken.leaf().getSubjectX500Principal().getName() + "): an older key of that label?");
    }
    return opened;
  }

  /**
   * Replaces the key labelled {@code options.keyLabel()} (and its certificate) by a new TPM key and its
   * certificate {@code leaf}, with tpm2_ptool alone: this process's PKCS#11 library read the token's objects
   * when it loaded and does not see objects added since. The new key is linked under the same label with an id
   * of its own, the certificate is added for that id, then the old key objects and certificate (those of that
   * label found before) are deleted. A crash between the two leaves both keys under the label; {@code
   * tpm2_ptool listobjects} shows them and {@code objdel} removes the older. The issuing CAs' certificates
   * stored at enrollment stay for the chain.
   */
  void relink(Pkcs11Options options, String tcti, byte[] publicArea, byte[] privateArea, X509Certificate leaf)
      throws GeneralSecurityException, IOException {
    String token = options.settings().tokenLabel();
    String label = options.keyLabel();
    List<String> old = objectIds(run(List.of(tool, "listobjects", "--label", token), tcti,
        "list the objects of token \"" + token + "\""), label);
    byte[] random = new byte[8];
    new java.security.SecureRandom().nextBytes(random);
    String id = java.util.HexFormat.of().formatHex(random);
    char[] pin = options.pin(environment);
    Path dir = Files.createTempDirectory("securecmd-rekey",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      Path pub = Files.write(dir.resolve("key.pub"), publicArea);
      Path priv = Files.write(dir.resolve("key.priv"), privateArea);
      Path cert = Files.write(dir.resolve("cert.pem"), FileInstall.pem("CERTIFICATE", leaf.getEncoded()));
      run(List.of(tool, "link", "--label", token, "--userpin", new String(pin), "--key-label", label, "--id", id,
          pub.toString(), priv.toString()), tcti, "link the new TPM key into token \"" + token + "\"");
      // link stores CKA_ID as the bytes of the --id text; addcert's --key-id is that CKA_ID in hex
      String ckaId = java.util.HexFormat.of().formatHex(id.getBytes(StandardCharsets.US_ASCII));
      run(List.of(tool, "addcert", "--label", token, "--key-id", ckaId, cert.toString()), tcti,
          "store the certificate in token \"" + token + "\"");
    } finally {
      java.util.Arrays.fill(pin, '\0');
      deleteTree(dir);
    }
    for (String o : old) {
      run(List.of(tool, "objdel", o), tcti, "delete the replaced object " + o + " of token \"" + token + "\"");
    }
  }

  /** The store ids of the objects labelled {@code label} in {@code tpm2_ptool listobjects}' YAML list. */
  static List<String> objectIds(String listing, String label) {
    List<String> ids = new ArrayList<>();
    String entryLabel = null;
    String entryId = null;
    for (String line : (listing + "\n- end").split("\n")) {
      if (line.startsWith("- ")) {
        if (label.equals(entryLabel) && entryId != null) ids.add(entryId);
        entryLabel = null;
        entryId = null;
      }
      String field = line.startsWith("- ") ? line.substring(2) : line.strip();
      if (field.startsWith("CKA_LABEL: ")) entryLabel = unquote(field.substring("CKA_LABEL: ".length()).strip());
      if (field.startsWith("id: ")) entryId = field.substring("id: ".length()).strip();
    }
    return ids;
  }

  private static String unquote(String yaml) {
    if (yaml.length() >= 2 && yaml.startsWith("'") && yaml.endsWith("'")) {
      return yaml.substring(1, yaml.length() - 1).replace("''", "'");
    }
    return yaml;
  }

  private String run(List<String> command, String tcti, String what) throws GeneralSecurityException, IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(environment);
    pb.environment().putIfAbsent("TPM2TOOLS_TCTI", tcti);
    Path log = Files.createTempFile("securecmd-enroll", ".log");
    pb.redirectOutput(log.toFile());
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      boolean done;
      try {
        done = p.waitFor(TOOL_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new GeneralSecurityException("interrupted while " + command.get(0) + " " + command.get(1) + " ran");
      }
      if (!done) {
        p.destroyForcibly();
        throw new GeneralSecurityException("cannot " + what + ": " + command.get(0) + " " + command.get(1)
            + " did not finish within " + TOOL_SECONDS + "s (is the TPM's resource manager running?)");
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new GeneralSecurityException("cannot " + what + ": " + command.get(0) + " " + command.get(1)
            + " exited " + p.exitValue() + ": " + tail(output));
      }
      return output;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String tail(String output) {
    String t = output.strip().replace('\n', ' ');
    return t.length() > 600 ? "..." + t.substring(t.length() - 600) : t;
  }

  private static void deleteTree(Path root) throws IOException {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(paths::add);
    }
    for (Path p : paths) Files.deleteIfExists(p);
  }
}
