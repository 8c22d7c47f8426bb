package org.securecmd.daemon.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when the {@code [clients] crl} file changes and has it loaded, so each host of a fleet picks up
 * the CRL the operator distributes without a reload. Polled (size, mtime and a SHA-256 of the bytes, so an
 * atomic replace with the same size and second is seen too) rather than a WatchService, which misses a
 * file replaced through a renamed directory or a bind mount. Same rules as a reload: a file that does not
 * load keeps the CRL in force, and the log and status say why. Also warns, once per CRL, when its
 * nextUpdate is less than a day away and again once it has passed.
 *
 * <p>It works on plain values (the serving config and TLS material in, CRLs and outcomes out); the
 * composition root installs what loaded and passes the outcomes on to status and metrics.
 */
public final class CrlWatcher {
  private static final Logger log = LoggerFactory.getLogger(CrlWatcher.class);
  static final Duration WARN_BEFORE_NEXT_UPDATE = Duration.ofDays(1);
  private static final Pattern CN = Pattern.compile("(?:^|,)CN=((?:\\\\.|[^,\\\\])+)");

  /** Installs a CRL list that loaded; returns how many open connections it closed. */
  @FunctionalInterface
  public interface Apply {
    int crlsLoaded(List<X509CRL> crls);
  }

  /** Where the state of the file goes as it changes (status and metrics). */
  public interface Report {
    /**
     * {@code crls} are in force, loaded at {@code at}.
     *
     * @param configured false when no CRL file is configured (then {@code crls} is empty)
     */
    void inForce(boolean configured, Instant at, List<InForce> crls);

    /** The file changed but cannot be used; the CRLs in force stay. */
    void failed(String error);
  }

  /** @param issuer the issuer's CN (or whole name when it has none); @param nextUpdate empty when the CRL has none */
  public record InForce(String issuer, Optional<BigInteger> number, Instant thisUpdate, Optional<Instant> nextUpdate) {
    /** The CRL's dates and number, under the issuer name the caller shows (its CN). */
    public static InForce of(String issuer, X509CRL crl) {
      return new InForce(issuer, crlNumber(crl), crl.getThisUpdate().toInstant(),
          Optional.ofNullable(crl.getNextUpdate()).map(java.util.Date::toInstant));
    }

    /**
     * One CRL per issuer name, in file order: a bundle may hold an old and a new CRL of one issuer (both are
     * enforced), but only the newest says when the issuer publishes next. The newest has the highest CRL
     * number, then the latest thisUpdate (a CRL without a number counts as older than one with). The metrics
     * apply the same rule to what {@link Report#inForce} hands them ({@code audit.CrlHealth}).
     */
    static List<InForce> newestPerIssuer(List<InForce> crls) {
      Comparator<InForce> age = Comparator.comparing((InForce c) -> c.number().orElse(BigInteger.ONE.negate()))
          .thenComparing(InForce::thisUpdate);
      Map<String, InForce> newest = new LinkedHashMap<>();
      for (InForce c : crls) newest.merge(c.issuer(), c, (a, b) -> age.compare(b, a) > 0 ? b : a);
      return List.copyOf(newest.values());
    }

    /** RFC 5280 5.2.3: an OCTET STRING (the extension value) holding a DER INTEGER; empty when absent or odd. */
    static Optional<BigInteger> crlNumber(X509CRL crl) {
      byte[] v = crl.getExtensionValue("2.5.29.20");
      // 04 len 02 len value..., short-form lengths: a CRL number has at most 20 octets
      if (v == null || v.length < 5 || v[0] != 0x04 || v[2] != 0x02 || v[3] < 1 || v[3] != v.length - 4) {
        return Optional.empty();
      }
      return Optional.of(new BigInteger(java.util.Arrays.copyOfRange(v, 4, v.length)));
    }
  }

  /** What the watcher reads of the generation that serves now. */
  public record Served(Config config, TlsMaterial tls) {}

  private final Supplier<Served> current;
  private final Apply apply;
  private final Report report;
  private final Clock clock;
  private final Set<String> warned = new HashSet<>();
  private List<InForce> inForce = List.of();
  private Path watched;
  private String lastSeen;

  public CrlWatcher(Supplier<Served> current, Apply apply, Report report, Clock clock) {
    this.current = current;
    this.apply = apply;
    this.report = report;
    this.clock = clock;
  }

  /** The file as it is now; call after every installed generation, so a reload's own load is the baseline. */
  public synchronized void baseline(Served g) {
    watched = g.config().clients().crl().orElse(null);
    lastSeen = watched == null ? null : fingerprint(watched);
    inForce(g.tls().crls(), watched != null);
  }

  /** One poll: load the file if it changed, then check how close nextUpdate is. Never throws. */
  public synchronized void poll() {
    try {
      Served g = current.get();
      if (watched != null && g.config().clients().crl().equals(Optional.of(watched))) {
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

  private void load(Served g) {
    try {
      List<X509CRL> crls = ServerTls.loadCrls(g.config(), g.tls().clientCas(), clock.instant());
      int closed = apply.crlsLoaded(crls);
      inForce(crls, true);
      log.info("CRL {} changed and was loaded: {} revoked certificate(s){}; closed {} open connection(s) of "
          + "revoked devices", watched, crls.stream().mapToInt(c -> c.getRevokedCertificates() == null ? 0
          : c.getRevokedCertificates().size()).sum(), nextUpdateText(crls), closed);
    } catch (ConfigException e) {
      report.failed(e.getMessage());
      log.error("CRL {} changed but cannot be used; the CRL loaded before stays in force: {}", watched, e.getMessage());
    }
  }

  private void warnNearNextUpdate() {
    Instant now = clock.instant();
    for (InForce c : InForce.newestPerIssuer(inForce)) { // an older CRL beside a newer one is not stale
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

  private void inForce(List<X509CRL> crls, boolean configured) {
    inForce = crls.stream()
        .map(c -> InForce.of(issuerName(c), c))
        .toList();
    report.inForce(configured, clock.instant(), inForce);
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
