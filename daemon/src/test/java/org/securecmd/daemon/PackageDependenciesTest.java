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
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "config", Set.of(),
      "systemd", Set.of(),
      "tls", Set.of("daemon.config", "tls"),
      "auth", Set.of("daemon.config"),
      "command", Set.of("daemon.config", "daemon.auth", "protocol"),
      "audit", Set.of("daemon.auth", "protocol"),
      "server", Set.of("daemon.config", "daemon.tls", "daemon.auth", "daemon.command", "daemon.audit", "protocol"),
      "admin", Set.of("daemon.server", "daemon.auth", "daemon.audit", "daemon.state"),
      // state → config beyond STYLE.md's "state → auth": it reads its own [state] settings and reports a bad
      // password_file as a ConfigException with file and line, as daemon.tls does for the key files.
      "state", Set.of("daemon.auth", "daemon.config"),
      "ctl", Set.of("daemon.admin"));

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
