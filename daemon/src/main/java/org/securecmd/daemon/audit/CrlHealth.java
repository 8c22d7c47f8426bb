package org.securecmd.daemon.audit;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state of the {@code [clients] crl} file as last loaded: whether the last load worked (and why not),
 * and each CRL's {@code nextUpdate}, so status and metrics show a host that keeps an old CRL. Written by
 * whoever loads the CRL, read by the admin socket; one volatile value, replaced whole.
 */
public final class CrlHealth {
  private volatile Status status = Status.NONE;

  public void set(Status s) {
    status = s;
  }

  public Status status() {
    return status;
  }

  /**
   * @param configured false when no CRL file is configured (then nothing else is meaningful)
   * @param lastLoadSucceeded whether the last attempt (start, reload or a change of the file) worked
   * @param lastError why it failed, empty when it worked
   * @param loadedAt when the CRL in force was loaded
   * @param crls the CRLs in force (the last good ones when the last load failed)
   */
  public record Status(boolean configured, boolean lastLoadSucceeded, String lastError, Instant loadedAt,
                       List<Crl> crls) {
    public static final Status NONE = new Status(false, true, "", Instant.EPOCH, List.of());

    public Status {
      crls = List.copyOf(crls);
    }

    /** The same CRLs in force, with a failed attempt recorded. */
    public Status failed(String error) {
      return new Status(configured, false, error, loadedAt, crls);
    }

    /**
     * One CRL per issuer name, in file order: a bundle may hold an old and a new CRL of one issuer (both are
     * enforced), but a metric series per issuer must exist once. The newest is the one with the highest CRL
     * number, then the latest thisUpdate (a CRL without a number counts as older than one with).
     */
    public List<Crl> newestPerIssuer() {
      Comparator<Crl> age = Comparator.comparing((Crl c) -> c.number().orElse(BigInteger.ONE.negate()))
          .thenComparing(Crl::thisUpdate);
      Map<String, Crl> newest = new LinkedHashMap<>();
      for (Crl c : crls) newest.merge(c.issuer(), c, (a, b) -> age.compare(b, a) > 0 ? b : a);
      return List.copyOf(newest.values());
    }
  }

  /**
   * @param issuer the issuer's CN (or whole name when it has none)
   * @param number the CRL number extension, empty when the CRL has none
   * @param thisUpdate when the CRL was issued
   * @param nextUpdate empty when the CRL has none
   */
  public record Crl(String issuer, Optional<BigInteger> number, Instant thisUpdate, Optional<Instant> nextUpdate) {}
}
