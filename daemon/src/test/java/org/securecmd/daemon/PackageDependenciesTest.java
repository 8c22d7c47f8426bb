package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** STYLE.md's allowed dependencies between the daemon's packages, checked on the imports of the sources. */
class PackageDependenciesTest {
  private static final Path SOURCES = Path.of("src/main/java/org/securecmd/daemon");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?org\\.securecmd\\.([a-z.]+)\\.[A-Z]",
      Pattern.MULTILINE);

  /** Package (below org.securecmd.daemon) → the org.securecmd packages it may import; absent = root, any. */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("config", Set.of()),
      Map.entry("systemd", Set.of()),
      Map.entry("tls", Set.of("daemon.config", "tls")),
      Map.entry("auth", Set.of("daemon.config")),
      Map.entry("command", Set.of("daemon.config", "daemon.auth", "protocol", "daemon.enroll")),
      Map.entry("audit", Set.of("daemon.auth", "protocol")),
      Map.entry("server", Set.of("daemon.config", "daemon.tls", "daemon.auth", "daemon.command", "daemon.audit", "protocol")),
      Map.entry("admin", Set.of("daemon.server", "daemon.auth", "daemon.audit", "daemon.state")),
      Map.entry("ctl", Set.of("daemon.admin")),
      Map.entry("state", Set.of("daemon.auth")),
      // enroll issues with the CA code shared with securecmd-pki (ca) and reads the CA's PEM files with the
      // client's parser (tls), rather than a second PEM parser.
      Map.entry("enroll", Set.of("daemon.config", "daemon.auth", "daemon.state", "ca", "tls")));

  @Test
  void packagesImportOnlyWhatStyleAllows() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path rel = SOURCES.relativize(file.getParent());
        String pkg = rel.toString().replace('/', '.');
        if (pkg.isEmpty()) continue;  // the composition root may import anything
        Set<String> allowed = ALLOWED.get(pkg);
        if (allowed == null) {
          violations.add(file + ": package " + pkg + " has no row in STYLE.md's dependency table");
          continue;
        }
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
          String target = m.group(1);
          if (!target.equals("daemon." + pkg) && !allowed.contains(target)) {
            violations.add(file.getFileName() + ": " + pkg + " imports org.securecmd." + target);
          }
        }
      }
    }
    assertEquals(List.of(), violations);
  }

  @Test
  void nothingImportsTheRoot() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        if (file.getParent().equals(SOURCES)) continue;
        Matcher m = Pattern.compile("^import org\\.securecmd\\.daemon\\.[A-Z]", Pattern.MULTILINE)
            .matcher(Files.readString(file));
        if (m.find()) violations.add(file.getFileName().toString());
      }
    }
    assertEquals(List.of(), violations);
  }
}
