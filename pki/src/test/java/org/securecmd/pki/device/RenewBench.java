package org.securecmd.pki.device;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.securecmd.ca.Issuer;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.RunningDaemon;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;

/**
 * Benchmark, not a test: RENEW per second at concurrency 8 (each one a full mutual-TLS handshake, CSR
 * verification, a signature by the issuing CA and an fsynced issuance record) beside full handshakes + PING
 * per second at the same concurrency. A new SSLContext per operation, so nothing resumes. Each renewal is a
 * rekey (a new P-256 key made by the client) of the same certificate, so each also revokes the previous
 * successor (one live successor per certificate); the run lifts {@code max_renewals}. Run it with
 * {@code bench/renew-bench.sh [SECONDS]}.
 */
public final class RenewBench {
  private static final int CONCURRENCY = 8;

  private RenewBench() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    Path dir = Files.createTempDirectory("securecmd-renew-bench");
    RenewalFlow.Fleet fleet = RenewalFlow.fleet(dir);
    // each device renews in a loop: lift [enrollment] max_renewals (default 3 per renew_before/2) for the run
    Files.writeString(fleet.config(), Files.readString(fleet.config()) + "max_renewals = 1000\n");
    X509Certificate issuing = Pem.readCertificates(fleet.issuing().resolve("ca.crt")).get(0);
    PrivateKey issuingKey = Pem.readPrivateKey(fleet.issuing().resolve("ca.key"));
    List<X509Certificate> trust = Pem.readCertificates(fleet.root().resolve("ca.crt"));
    List<CertifiedKey> devices = new ArrayList<>();
    for (int i = 0; i < CONCURRENCY; i++) {
      KeyPair kp = ec();
      X509Certificate leaf = Issuer.leaf(issuing, issuingKey, Issuer.newSerial(), "dev-bench-" + i,
          List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "urn:securecmd:device:dev-bench-" + i)),
          kp.getPublic(), KeyPurposeId.id_kp_clientAuth, Duration.ofDays(30));
      devices.add(new CertifiedKey(kp.getPrivate(), List.of(leaf, issuing)));
    }
    try (RunningDaemon daemon = RunningDaemon.start(fleet.config())) {
      int port = daemon.port();
      rate("warm-up", devices, trust, port, Math.min(2, seconds), false);
      rate("warm-up", devices, trust, port, Math.min(2, seconds), true);
      double full = rate("full handshake + PING", devices, trust, port, seconds, false);
      double renew = rate("RENEW", devices, trust, port, seconds, true);
      System.out.printf("%n| c=%d, %.0f s each | per second | ms each (wall / c) |%n|---|---:|---:|%n", CONCURRENCY, seconds);
      System.out.printf("| full mTLS handshake + PING | %.1f | %.1f |%n", full, 1000 * CONCURRENCY / full);
      System.out.printf("| full mTLS handshake + RENEW (rekey) | %.1f | %.1f |%n", renew, 1000 * CONCURRENCY / renew);
      System.out.printf("%nissuance records written: %d lines in %s%n",
          Files.readAllLines(dir.resolve("state/issued")).size(), dir.resolve("state/issued"));
    }
  }

  private static double rate(String what, List<CertifiedKey> devices, List<X509Certificate> trust, int port,
                             double seconds, boolean renew) throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (CertifiedKey device : devices) {
        workers.add(pool.submit(() -> {
          while (System.nanoTime() < end) {
            SecureCmdClient c = new SecureCmdClient(new HandshakeSetup.Builder().addTrustedCertificates(trust)
                .certifiedKey(device).build(), Duration.ofSeconds(30));
            if (renew) {
              KeyPair fresh = ec();
              c.renew("127.0.0.1", port, device.leaf(), fresh.getPublic(), fresh.getPrivate());
            } else {
              try (Connection conn = c.connect("127.0.0.1", port)) {
                if (conn.send("PING").isError()) throw new IllegalStateException("PING failed");
              }
            }
            done.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> w : workers) w.get();
    } finally {
      pool.shutdownNow();
    }
    double rate = done.get() / ((System.nanoTime() - start) / 1e9);
    System.out.printf("%s: %d in %.1f s = %.1f/s%n", what, done.get(), (System.nanoTime() - start) / 1e9, rate);
    return rate;
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }
}
