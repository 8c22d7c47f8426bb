package org.securecmd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.securecmd.ca.Issuer;
import org.securecmd.daemon.attest.AttestationKey;
import org.securecmd.daemon.attest.AttestedKey;
import org.securecmd.daemon.attest.CertifyVerifier;
import org.securecmd.daemon.attest.EkAuthority;
import org.securecmd.daemon.attest.EnrollmentChallenge;
import org.securecmd.daemon.attest.VerifiedEk;
import org.securecmd.tls.CertificationRequest;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.EndorsementKeyType;
import org.securecmd.tpm.KeyTemplate;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.Tpm;
import org.securecmd.tpm.TpmSignature;

/**
 * What TPM-attested enrollment costs the server, beside a plain full mutual-TLS handshake. The device side is
 * recorded once from a real swtpm manufactured with an EK certificate ({@link ManufacturedTpm}): EK certificate
 * and public area (RSA-2048 and P-384), an AK under each EK, a TLS key under the storage root key, one
 * TPM2_Certify of it by the AK over a fixed nonce and a CSR signed in the TPM. One whole enrollment is first
 * run against the TPM (fresh challenge, TPM2_ActivateCredential, certify over its nonce, {@code prove}), so
 * the recorded structures are ones the server accepts. Then, each by {@code THREADS} threads for
 * {@code SECONDS}:
 * <ul>
 *   <li>(a) the server work of {@code ENROLL}: {@link EkAuthority#verify} (the EK certificate's chain) and
 *       {@link EnrollmentChallenge#issue} (both public areas parsed, AK attributes, MakeCredential with a
 *       fresh secret and nonce), per EK type;
 *   <li>(b) the server work of {@code ENROLL-PROOF} on the recorded structures: {@link CertifyVerifier#verify}
 *       with the fixed nonce (TPMS_ATTEST, AK signature, certified Name, key attributes, CSR signature) and the
 *       certificate issued by {@link Issuer#attestedLeaf} with an EC P-256 CA, as the daemon issues it. The
 *       secret comparison of {@code prove} (32 bytes) is left out; so are the state writes (the fsynced
 *       issuance record and the enrollment record), the TLS connection and the line parsing;
 *   <li>(c) full mutual-TLS handshakes + {@code PING} per second against a throwaway daemon (a child JVM,
 *       {@link ThrowawayDaemon}) on 127.0.0.1, a new SSLContext per connection: the wall rate with the
 *       client's work on the same CPUs, the figure {@code bench/renew-bench.sh} prints too.
 * </ul>
 * A benchmark: it asserts nothing.
 *
 * <pre>java -cp ... org.securecmd.bench.EnrollBench [THREADS=8] [SECONDS=5]</pre>
 */
public final class EnrollBench {
  private static final Duration VALIDITY = Duration.ofDays(30);

  private EnrollBench() {}

  /** One device's recorded structures. */
  private record Device(EndorsementKeyType type, byte[] ekCertificate, byte[] ekPublic, byte[] akPublic,
                        byte[] keyPublic, byte[] csr, byte[] nonce, Attestation certify) {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dir = Files.createTempDirectory("enroll-bench");
    try {
      run(dir, threads, seconds);
    } catch (Exception | Error e) {
      System.err.println("enroll-bench: failed; logs kept in " + dir);
      throw e;
    }
    deleteTree(dir); // keys and TPM state of a throwaway PKI
  }

  private static void run(Path dir, int threads, int seconds) throws Exception {
    List<Device> devices = new ArrayList<>();
    EkAuthority authority;
    try (ManufacturedTpm swtpm = ManufacturedTpm.start(dir.resolve("tpm"))) {
      authority = EkAuthority.parse(Files.readString(swtpm.ekCa()));
      try (Tpm tpm = Tpm.open(swtpm.spec())) {
        for (EndorsementKeyType type : List.of(EndorsementKeyType.RSA_2048, EndorsementKeyType.ECC_P384)) {
          devices.add(record(tpm, type, authority));
        }
      }
    }
    System.out.printf(Locale.ROOT, "%s, load average %s, %d threads, %d s per measurement%n", Instant.now(),
        loadAverage(), threads, seconds);
    KeyPair caKeys = Issuer.newKeyPair("ec");
    X509Certificate ca = Issuer.selfSignedCa(caKeys, "Bench enrollment CA", Duration.ofDays(2));
    SecureRandom random = new SecureRandom();
    List<String[]> rows = new ArrayList<>();
    double[] enroll = new double[devices.size()];
    for (int i = 0; i < devices.size(); i++) {
      Device d = devices.get(i);
      Work w = () -> {
        VerifiedEk ek = authority.verify(d.ekCertificate(), Instant.now());
        EnrollmentChallenge.issue(ek, d.ekPublic(), d.akPublic(), random);
      };
      rate(threads, 1, w); // warm-up
      enroll[i] = rate(threads, seconds, w);
    }
    Device rsa = devices.get(0);
    AttestationKey ak = AttestationKey.of(rsa.akPublic(), rsa.ekPublic());
    Work proof = () -> {
      AttestedKey key = CertifyVerifier.verify(ak, rsa.nonce(), rsa.csr(), rsa.keyPublic(), rsa.certify().attest(),
          rsa.certify().signatureBytes());
      Issuer.attestedLeaf(ca, caKeys.getPrivate(), Issuer.newSerial(), "dev-bench", key.publicKey(), Instant.now(),
          VALIDITY);
    };
    rate(threads, 1, proof);
    double prove = rate(threads, seconds, proof);
    double full;
    try (ThrowawayDaemon daemon = ThrowawayDaemon.start(Files.createDirectories(dir.resolve("daemon")))) {
      daemon.handshakes(threads, seconds); // warm-up: a fresh JVM compiles for thousands of handshakes
      full = daemon.handshakes(threads, seconds);
    }
    for (int i = 0; i < devices.size(); i++) {
      rows.add(row("(a) ENROLL: EK chain + MakeCredential, " + devices.get(i).type() + " EK", enroll[i], full));
    }
    rows.add(row("(b) ENROLL-PROOF: certify + CSR verified, certificate issued (recorded, no state writes)",
        prove, full));
    double both = 1 / (1 / enroll[0] + 1 / prove);
    rows.add(row("(a) + (b), RSA EK: one enrollment's checks and issuing (both steps; its one handshake not included)", both, full));
    rows.add(row("(c) full mTLS handshake + PING against the daemon (client on the same CPUs)", full, full));
    System.out.printf(Locale.ROOT, "%n| c=%d, %d s each | per second | per second / (c) |%n|---|---:|---:|%n", threads, seconds);
    for (String[] r : rows) System.out.printf("| %s | %s | %s |%n", r[0], r[1], r[2]);
    System.out.printf(Locale.ROOT, "%nload average at the end: %s%n", loadAverage());
  }

  private static String[] row(String what, double perSecond, double full) {
    return new String[] {what, String.format(Locale.ROOT, "%.0f", perSecond),
        String.format(Locale.ROOT, "%.2f", perSecond / full)};
  }

  /**
   * Makes the device's keys in the TPM, runs one whole enrollment against the server's checks (so the
   * structures are ones the server accepts), then records a certify over a fixed nonce.
   */
  private static Device record(Tpm tpm, EndorsementKeyType type, EkAuthority authority) throws Exception {
    byte[] ekCertificate = tpm.endorsementCertificate(type);
    LoadedKey ek = tpm.endorsementKey(type);
    LoadedKey ak = tpm.load(ek, tpm.create(ek, KeyTemplate.attestationKey()));
    LoadedKey srk = tpm.storageRootKey();
    LoadedKey tls = tpm.load(srk, tpm.create(srk, KeyTemplate.tlsKey()));
    if (srk.isTransient()) tpm.flushContext(srk.handle()); // swtpm holds 3 transient objects: EK, AK, TLS key
    byte[] csr = CertificationRequest.der(tls.publicArea().publicKey(), "dev-bench", info -> {
      try {
        TpmSignature s = tpm.sign(tls, MessageDigest.getInstance("SHA-256").digest(info));
        return CertificationRequest.ecdsaDer(s.r(), s.s());
      } catch (org.securecmd.tpm.TpmException e) {
        throw new java.security.GeneralSecurityException(e.getMessage(), e);
      }
    });
    byte[] ekPublic = ek.publicArea().marshalled();
    byte[] akPublic = ak.publicArea().marshalled();
    byte[] keyPublic = tls.publicArea().marshalled();
    EnrollmentChallenge c = EnrollmentChallenge.issue(authority.verify(ekCertificate, Instant.now()), ekPublic,
        akPublic, new SecureRandom());
    byte[] secret = tpm.activateCredential(ak, ek, c.credentialBlob(), c.encryptedSecret());
    Attestation live = tpm.certify(tls, ak, c.nonce());
    AttestedKey proved = c.prove(secret, csr, keyPublic, live.attest(), live.signatureBytes());
    if (!Arrays.equals(proved.publicKey().getEncoded(), tls.publicArea().publicKey().getEncoded())) {
      throw new IllegalStateException("prove returned another key than the TPM's TLS key");
    }
    byte[] nonce = new byte[32];
    new SecureRandom().nextBytes(nonce);
    Attestation certify = tpm.certify(tls, ak, nonce);
    for (LoadedKey k : List.of(tls, ak, ek)) {
      if (k.isTransient()) tpm.flushContext(k.handle());
    }
    return new Device(type, ekCertificate, ekPublic, akPublic, keyPublic, csr, nonce, certify);
  }

  /** One unit of server work. */
  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} on {@code threads} platform threads for {@code seconds}: completions per second. */
  static double rate(int threads, int seconds, Work work) throws InterruptedException {
    LongAdder done = new LongAdder();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      workers.add(Thread.ofPlatform().start(() -> {
        try {
          while (System.nanoTime() < end) {
            work.run();
            done.increment();
          }
        } catch (Exception e) {
          failures.add(e);
        }
      }));
    }
    for (Thread w : workers) w.join();
    if (!failures.isEmpty()) throw new IllegalStateException("a worker failed", failures.get(0));
    return done.sum() / ((System.nanoTime() - start) / 1e9);
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
