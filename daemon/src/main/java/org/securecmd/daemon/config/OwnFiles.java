package org.securecmd.daemon.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's own files (config, server certificate and key, client CA, CRL, the enrollment CA and its key,
 * state directory), so that a
 * {@code reply_file} template cannot serve them: with {@code "/etc/securecmd/{client}"} a device whose CN is
 * {@code server.key} would be sent the server's private key.
 *
 * <p>The rule is about directories, not names: the directory in which a device's name picks an entry (the
 * path before the first component holding {@code {client}}) must not hold any of these files, at any depth,
 * and must not lie inside the state directory. Paths are compared as written and, where they exist, with
 * symbolic links resolved.
 */
final class OwnFiles {
  private final Map<String, Path> files = new LinkedHashMap<>();
  private final Path stateDirectory;

  OwnFiles(Path config, TlsSettings tls, ClientSettings clients, StateSettings state,
           Optional<EnrollmentSettings> enrollment) {
    files.put("the configuration file", config);
    files.put("[tls] certificate", tls.certificate());
    files.put("[tls] private_key", tls.privateKey());
    clients.ca().ifPresent(ca -> files.put("[clients] ca", ca));
    clients.crl().ifPresent(crl -> files.put("[clients] crl", crl));
    enrollment.ifPresent(e -> {
      files.put("[enrollment] ca_certificate", e.caCertificate());
      e.caKey().ifPresent(key -> files.put("[enrollment] ca_key", key));
    });
    stateDirectory = state.directory();
  }

  /** Why {@code replyFile} could reach one of these files; empty when it cannot. */
  Optional<String> reachableBy(Path replyFile) {
    for (Map.Entry<String, Path> f : files.entrySet()) {
      if (forms(f.getValue()).stream().anyMatch(forms(replyFile)::contains)) {
        return Optional.of("is the daemon's own file (" + f.getKey() + "); it must not be sent to devices");
      }
    }
    Optional<Path> choosing = choosingDirectory(replyFile);
    if (choosing.isEmpty()) return Optional.empty();
    Path chooser = choosing.get();
    for (Path dir : forms(chooser)) {
      for (Map.Entry<String, Path> f : files.entrySet()) {
        for (Path own : forms(f.getValue())) {
          if (own.startsWith(dir)) return Optional.of(clash(chooser, f.getKey() + " " + f.getValue()));
        }
      }
      for (Path state : forms(stateDirectory)) {
        if (state.startsWith(dir) || dir.startsWith(state)) {
          return Optional.of(clash(chooser, "[state] directory " + stateDirectory));
        }
      }
    }
    return Optional.empty();
  }

  private static String clash(Path chooser, String what) {
    return "a device's name picks a file in " + chooser + ", which also holds the daemon's own files (" + what
        + "); keep device replies in a directory of their own, e.g. " + chooser.resolve("replies/{client}");
  }

  /** The directory before the first component holding {@code {client}}; empty without one. */
  private static Optional<Path> choosingDirectory(Path template) {
    Path abs = template.toAbsolutePath().normalize();
    Path dir = abs.getRoot();
    for (Path part : abs) {
      if (part.toString().contains(ReplySource.CLIENT)) return Optional.of(dir);
      dir = dir == null ? part : dir.resolve(part);
    }
    return Optional.empty();
  }

  /** The path as written (absolute, normalised) and, when it exists, its real path. */
  private static List<Path> forms(Path p) {
    List<Path> out = new ArrayList<>();
    Path abs = p.toAbsolutePath().normalize();
    out.add(abs);
    try {
      Path real = abs.toRealPath();
      if (!real.equals(abs)) out.add(real);
    } catch (IOException | SecurityException e) {
      // does not exist (yet): the written form is all there is to compare
    }
    return out;
  }
}
