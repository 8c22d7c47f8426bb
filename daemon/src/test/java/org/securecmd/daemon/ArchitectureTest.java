package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * STYLE.md's allowed dependencies between packages, for all four modules (client, ca, daemon, pki), checked
 * on the sources: every reference to an {@code org.securecmd} type counts, whether imported or written
 * fully qualified (a fully qualified name in code hides a dependency from an import-only check).
 * Comments are left out, so a Javadoc may name another package's type in words.
 */
class ArchitectureTest {
  private static final Path ROOT = Path.of("..");
  private static final List<Path> SOURCES = List.of(
      Path.of("client/src/main/java"), Path.of("ca/src/main/java"), Path.of("daemon/src/main/java"),
      Path.of("pki/src/main/java"));
  /** A type reference: a package path below org.securecmd, then a capitalised type name. */
  private static final Pattern REFERENCE = Pattern.compile("\\borg\\.securecmd\\.([a-z][a-z0-9.]*?)\\.[A-Z]");
  private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);
  private static final Pattern STRINGS = Pattern.compile("\"(?:\\\\.|[^\"\\\\\n])*\"");

  /**
   * Package (below org.securecmd) → the org.securecmd packages it may reference besides itself.
   * {@code daemon} (the composition root) may reference anything and nothing may reference it.
   */
  static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      // client module: JDK only
      Map.entry("protocol", Set.of()),
      Map.entry("tls", Set.of()),
      // the device's TPM 2.0 command layer: JDK only (the daemon's tests drive swtpm with it)
      Map.entry("tpm", Set.of()),
      Map.entry("client", Set.of("protocol", "tls")),
      Map.entry("client.cli", Set.of("client", "tls", "protocol")),
      // ca module: the issuer shared by securecmd-pki and the daemon's RENEW (JDK + BouncyCastle only)
      Map.entry("ca", Set.of()),
      // daemon module
      // config → protocol goes beyond STYLE.md's "config is a leaf", on purpose: the rule for a success
      // reply lives once, in protocol.Reply, and config checks configured replies against it so that the
      // error can name the file and line. protocol is itself a JDK-only leaf, so no cycle can form.
      Map.entry("daemon.config", Set.of("protocol")),
      Map.entry("daemon.systemd", Set.of()),
      Map.entry("daemon.tls", Set.of("daemon.config", "tls")),
      Map.entry("daemon.auth", Set.of("daemon.config")),
      Map.entry("daemon.command", Set.of("daemon.config", "daemon.auth", "protocol", "daemon.enroll",
          "daemon.attest")),
      Map.entry("daemon.audit", Set.of("daemon.auth", "protocol")),
      Map.entry("daemon.server", Set.of("daemon.config", "daemon.tls", "daemon.auth", "daemon.command",
          "daemon.audit", "protocol", "daemon.proxy", "daemon.attest")),
      // the PROXY v2 header parser: bytes in, addresses out (STYLE.md: "proxy: JDK only", "server → proxy")
      Map.entry("daemon.proxy", Set.of()),
      Map.entry("daemon.admin", Set.of("daemon.server", "daemon.auth", "daemon.audit", "daemon.state",
          "daemon.enroll", "daemon.attest")),
      // state → config beyond STYLE.md's "state → auth": it reads its own [state] settings and reports a bad
      // password_file as a ConfigException with file and line, as daemon.tls does for the key files.
      // state → ca for OutputFiles only: the one atomic, durable file replace (shared with securecmd-pki).
      Map.entry("daemon.state", Set.of("daemon.auth", "daemon.config", "ca")),
      // enroll issues with the CA code shared with securecmd-pki (ca) and reads the issuing CA's PEM files
      // with the client's parser (tls) rather than a second one; enroll → protocol: a refusal names its ErrorCode.
      // enroll → attest: an attested RENEW (rekey) checks the certify with attest's verdicts.
      Map.entry("daemon.enroll", Set.of("daemon.config", "daemon.auth", "daemon.state", "ca", "tls", "protocol",
          "daemon.attest")),
      // attest: TPM evidence, bytes in and verdicts out (STYLE.md: attest → config, auth, state, ca, tls, protocol).
      Map.entry("daemon.attest", Set.of("daemon.config", "daemon.auth", "daemon.state", "ca", "tls", "protocol")),
      Map.entry("daemon.ctl", Set.of("daemon.admin", "daemon.config")),
      // metrics: the HTTP endpoint serves whatever text the root hands it (admin's Prometheus text, the
      // same as securecmdctl metrics), so it needs no other securecmd package but config.HostPort, the one
      // formatter of addresses for people (config is a leaf, so no cycle can form).
      Map.entry("daemon.metrics", Set.of("daemon.config")),
      // pki module: the CA tool; device-side steps reuse the client's TLS code
      Map.entry("pki", Set.of("tls", "ca")),
      Map.entry("pki.device", Set.of("pki", "tls")),
      Map.entry("pki.cli", Set.of("pki", "pki.device", "tls", "ca")));

  @Test
  void packagesReferenceOnlyWhatStyleAllows() throws IOException {
    assertEquals(List.of(), violations(ROOT));
  }

  @Test
  void aWrongReferenceInEachModuleIsFound(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
    write(tmp, "client/src/main/java/org/securecmd/protocol/Bad.java",
        "package org.securecmd.protocol;\nimport org.securecmd.client.SecureCmdClient;\nclass Bad {}\n");
    write(tmp, "daemon/src/main/java/org/securecmd/daemon/config/Bad.java",
        "package org.securecmd.daemon.config;\nclass Bad { Object o = new org.securecmd.daemon.auth.AllowList(null); }\n");
    write(tmp, "daemon/src/main/java/org/securecmd/daemon/auth/Root.java",
        "package org.securecmd.daemon.auth;\nimport org.securecmd.daemon.Daemon;\nclass Root {}\n");
    write(tmp, "pki/src/main/java/org/securecmd/pki/Bad.java",
        "package org.securecmd.pki;\n// org.securecmd.daemon.Daemon in a comment is fine\nclass Bad { org.securecmd.daemon.auth.Identity i; }\n");
    List<String> found = violations(tmp);
    assertEquals(4, found.size(), found.toString());
    assertTrue(found.get(0).contains("protocol references org.securecmd.client"), found.toString());
  }

  private static void write(Path root, String rel, String text) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  static List<String> violations(Path root) throws IOException {
    List<String> violations = new ArrayList<>();
    for (Path source : SOURCES) {
      Path base = root.resolve(source).resolve("org/securecmd");
      if (!Files.isDirectory(base)) continue;
      try (Stream<Path> files = Files.walk(base)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          String pkg = base.relativize(file.getParent()).toString().replace('/', '.');
          String code = STRINGS.matcher(COMMENTS.matcher(Files.readString(file)).replaceAll(" ")).replaceAll("\"\"");
          if (pkg.equals("daemon")) continue;  // the composition root may reference anything
          Set<String> allowed = ALLOWED.get(pkg);
          if (allowed == null) {
            violations.add(file + ": package " + pkg + " has no row in STYLE.md's dependency table");
            continue;
          }
          Matcher m = REFERENCE.matcher(code);
          while (m.find()) {
            String target = m.group(1);
            if (target.equals(pkg)) continue;
            if (target.equals("daemon")) {
              violations.add(file.getFileName() + ": " + pkg + " references the composition root org.securecmd.daemon");
            } else if (!allowed.contains(target)) {
              violations.add(file.getFileName() + ": " + pkg + " references org.securecmd." + target);
            }
          }
        }
      }
    }
    return violations;
  }
}
