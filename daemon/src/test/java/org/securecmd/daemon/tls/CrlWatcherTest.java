package org.securecmd.daemon.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.tls.TestPki;

/**
 * The watcher on plain values: the serving config and TLS material in; the CRLs to install and what is in
 * force (or why a changed file was refused) out.
 */
class CrlWatcherTest {
  @TempDir Path dir;
  private TestPki pki;
  private final List<List<X509CRL>> applied = new ArrayList<>();
  private final List<String> reports = new ArrayList<>();
  private CrlWatcher watcher;

  @BeforeEach
  void serve() throws Exception {
    pki = new TestPki("W");
    pki.issue(TestPki.spec("127.0.0.1").ip("127.0.0.1").serverAuth()).write(dir, "server");
    pki.writeRoot(dir.resolve("ca.crt"));
    Files.writeString(dir.resolve("ca.crt"), TestPki.pem("CERTIFICATE", pki.intermediate().certificate().getEncoded()),
        StandardOpenOption.APPEND);
    writeCrl(pki.crl());
    Config config = ConfigLoader.parse(dir.resolve("config.toml"), """
        [tls]
        certificate = "server.crt"
        private_key = "server.key"
        [clients]
        auth = "required"
        ca = "ca.crt"
        crl = "crl.pem"
        allow = ["*"]
        """);
    CrlWatcher.Served served = new CrlWatcher.Served(config, ServerTls.load(config, Instant.now()));
    watcher = new CrlWatcher(() -> served, crls -> {
      applied.add(crls);
      return 7;
    }, new CrlWatcher.Report() {
      @Override
      public void inForce(boolean configured, Instant at, List<CrlWatcher.InForce> crls) {
        reports.add("in force " + configured + " " + crls);
      }

      @Override
      public void failed(String error) {
        reports.add("failed " + error);
      }
    }, Clock.systemUTC());
    watcher.baseline(served);
  }

  @Test
  void theBaselineReportsTheCrlsInForceByIssuerCnAndLoadsNothing() {
    watcher.poll();
    assertEquals(List.of(), applied, "an unchanged file is not loaded again");
    assertEquals(1, reports.size(), reports.toString());
    assertTrue(reports.get(0).matches("in force true \\[InForce\\[issuer=W Intermediate CA, number=.*, nextUpdate=Optional\\[.*"),
        reports.toString());
  }

  @Test
  void aChangedFileIsAppliedOnceThenReportedInForce() throws Exception {
    Instant next = Instant.now().plus(java.time.Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
    writeCrl(pki.crl(next, pki.issue(TestPki.spec("device").clientAuth())));
    watcher.poll();
    watcher.poll();
    assertEquals(1, applied.size(), "loaded once");
    assertEquals(1, applied.get(0).getFirst().getRevokedCertificates().size());
    CrlWatcher.InForce reported = CrlWatcher.InForce.of("W Intermediate CA", applied.get(0).getFirst());
    assertEquals(Optional.of(next), reported.nextUpdate());
    assertEquals("in force true " + List.of(reported), reports.getLast());
  }

  @Test
  void aFileThatDoesNotLoadIsReportedFailedAndNothingIsApplied() throws Exception {
    Files.writeString(dir.resolve("crl.pem"), "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n");
    watcher.poll();
    assertEquals(List.of(), applied);
    assertTrue(reports.getLast().startsWith("failed " + dir.resolve("config.toml") + ":7: [clients] crl = \""
        + dir.resolve("crl.pem") + "\": "), reports.getLast());
  }

  private void writeCrl(X509CRL crl) throws Exception {
    Path tmp = dir.resolve("crl.pem.tmp");
    Files.writeString(tmp, TestPki.pem("X509 CRL", crl.getEncoded()));
    Files.move(tmp, dir.resolve("crl.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
