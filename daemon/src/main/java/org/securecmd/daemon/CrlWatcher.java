package org.securecmd.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.securecmd.daemon.audit.CrlHealth;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.server.Generation;
import org.securecmd.daemon.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when the {@code [clients] crl} file changes and has it loaded, so each host of a fleet picks up
 * the CRL the operator distributes without a reload. Polled (size, mtime and a SHA-256 of the bytes, so an
 * atomic replace with the same size and second is seen too) rather than a WatchService, which misses a
 * file replaced through a renamed directory or a bind mount. Same rules as a reload: a file that does not
 * load keeps the CRL in force, and the log and status say why. Also warns, once per CRL, when its
 * nextUpdate is less than a day away and again once it has passed.
 */
final class CrlWatcher {
  private static final Logger log = LoggerFactory.getLogger(CrlWatcher.class);
  static final Duration WARN_BEFORE_NEXT_UPDATE = Duration.ofDays(1);
  private static final Pattern CN = Pattern.compile("(?:^|,)CN=((?:\\\\.|[^,\\\\])+)");

  /** Installs a CRL list that loaded; returns how many open connections it closed. */
  @FunctionalInterface
  interface Apply {
    int crlsLoaded(List<X509CRL> crls);
  }

  private final Supplier<Generation> current;
  private final Apply apply;
  private final CrlHealth health;
  private final Clock clock;
  private final Set<String> warned = new HashSet<>();
  private Path watched;
  private String lastSeen;

  CrlWatcher(Supplier<Generation> current, Apply apply, CrlHealth health, Clock clock) {
    this.current = current;
    this.apply = apply;
    this.health = health;
    this.clock = clock;
  }

  /** The file as it is now; call after every installed generation, so a reload's own load is the baseline. */
  synchronized void baseline(Generation g) {
    watched = g.config().clients().crl();
    lastSeen = watched == null ? null : fingerprint(watched);
    health.set(statusOf(g.tls().crls(), watched != null));
  }

  /** One poll: load the file if it changed, then check how close nextUpdate is. Never throws. */
  synchronized void poll() {
    try {
      Generation g = current.get();
      if (watched != null && watched.equals(g.config().clients().crl())) {
        String now = fingerprint(watched);
        if (!now.equals(lastSeen)) {
          lastSeen = now;
          load(g);
        }
      }
      warnNearNextUpdate();
    } catch (RuntimeException e) {
      log.error("checking the CRL file failed", e);
    }
  }

  private void load(Generation g) {
    try {
      List<X509CRL> crls = ServerTls.loadCrls(g.config(), g.tls().clientCas(), clock.instant());
      int closed = apply.crlsLoaded(crls);
      health.set(statusOf(crls, true));
      log.info("CRL {} changed and was loaded: {} revoked certificate(s){}; closed {} open connection(s) of "
          + "revoked devices", watched, crls.stream().mapToInt(c -> c.getRevokedCertificates() == null ? 0
          : c.getRevokedCertificates().size()).sum(), nextUpdateText(crls), closed);
    } catch (ConfigException e) {
      health.set(health.status().failed(e.getMessage()));
      log.error("CRL {} changed but cannot be used; the CRL loaded before stays in force: {}", watched, e.getMessage());
    }
  }

  private void warnNearNextUpdate() {
    Instant now = clock.instant();
    for (CrlHealth.Crl c : health.status().newestPerIssuer()) { // an older CRL beside a newer one is not stale
      if (c.nextUpdate().isEmpty()) continue;
      Instant next = c.nextUpdate().get();
      if (next.isBefore(now)) {
        if (warned.add(c.issuer() + " " + next + " past")) {
          log.warn("CRL of {} is past its nextUpdate ({}); it is still enforced, but publish a fresh one to every "
              + "host", c.issuer(), next);
        }
      } else if (Duration.between(now, next).compareTo(WARN_BEFORE_NEXT_UPDATE) < 0
          && warned.add(c.issuer() + " " + next + " soon")) {
        log.warn("CRL of {} reaches its nextUpdate in {} ({}); publish a fresh one to every host before then",
            c.issuer(), Duration.between(now, next).withNanos(0), next);
      }
    }
  }

  private CrlHealth.Status statusOf(List<X509CRL> crls, boolean configured) {
    return new CrlHealth.Status(configured, true, "", clock.instant(), crls.stream()
        .map(c -> CrlHealth.Crl.of(issuerName(c), c))
        .toList());
  }

  /** The issuer's CN (the metric's label), or its whole name when it has none. */
  static String issuerName(X509CRL crl) {
    String dn = crl.getIssuerX500Principal().getName();
    Matcher m = CN.matcher(dn);
    return m.find() ? m.group(1).replaceAll("\\\\(.)", "$1") : dn;
  }

  private static String nextUpdateText(List<X509CRL> crls) {
    return crls.stream().filter(c -> c.getNextUpdate() != null).findFirst()
        .map(c -> ", next update " + c.getNextUpdate().toInstant()).orElse("");
  }

  /** Size, mtime and content hash; "absent" or the error when unreadable (then a later fix is a change). */
  private static String fingerprint(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return bytes.length + " " + Files.getLastModifiedTime(file).toMillis() + " "
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchFileException e) {
      return "absent";
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
