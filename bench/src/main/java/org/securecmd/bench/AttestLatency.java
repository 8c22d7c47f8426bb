package org.securecmd.bench;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.securecmd.ca.Issuer;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.client.StateAttestation;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.daemon.state.Enrollment;
import org.securecmd.daemon.state.Issuance;
import org.securecmd.daemon.state.StateStores;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tpm.Alg;
import org.securecmd.tpm.Handles;
import org.securecmd.tpm.KeyTemplate;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.PcrSelection;
import org.securecmd.tpm.Tpm;

/**
 * The latency {@code securecmd-client --attest} adds to one command against a swtpm device. A throwaway daemon
 * (child JVM) on 127.0.0.1 with {@code [attestation]}, a state {@code golden} over PCRs 0, 2 and 7 (the swtpm's
 * values), {@code UNLOCK} with {@code require_state = "golden"} and {@code PLAIN} (the same reply, no state).
 * The device: an AK under an RSA EK in swtpm, persisted at 0x81000002 where enrollment leaves it; its TLS key
 * is a PEM key whose attested certificate and enrollment (that AK) are recorded in the state directory before
 * the daemon starts, as {@code ENROLL-PROOF} records them (the TLS key itself is not in the TPM: the client
 * reads a TPM-held TLS key only through tpm2-pkcs11, which needs tpm2-abrmd; the TLS handshake is the same
 * P-256 ECDSA either way, but a TPM signature in it would add its own time to both rows). Each run but the last is one new
 * connection (a full handshake); interleaved, {@code RUNS} times each:
 * <ul>
 *   <li>{@code PLAIN}: the command alone;
 *   <li>{@code PLAIN} twice on one connection: what one more round trip costs;
 *   <li>{@code NONCE} then {@code PLAIN} on one connection: what the nonce adds (so that the rest of
 *       {@code --attest} is the TPM's part and {@code QUOTE});
 *   <li>{@code --attest UNLOCK}: what the CLI's {@code --attest} does (open the TPM, {@code NONCE},
 *       TPM2_Quote and TPM2_PCR_Read of all 24 SHA-256 PCRs, {@code QUOTE}, then the command);
 *   <li>{@code UNLOCK} on demand: the library's {@code StateAttestation.send} (the command,
 *       {@code ERR ATTESTATION_REQUIRED golden sha256:0,2,7}, quote of those three, the command again);
 *   <li>the TPM's part of {@code --attest} alone, without a connection: open swtpm's socket, TPM2_Quote and
 *       TPM2_PCR_Read of the 24 PCRs.
 * </ul>
 * Prints the median and p90 of each and the medians' differences. A benchmark: it asserts nothing.
 *
 * <pre>java -cp ... org.securecmd.bench.AttestLatency [RUNS=50]</pre>
 */
public final class AttestLatency {
  private AttestLatency() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path dir = Files.createTempDirectory("attest-latency");
    try {
      run(dir, runs);
    } catch (Exception | Error e) {
      System.err.println("attest-latency: failed; logs kept in " + dir);
      throw e;
    }
    EnrollBench.deleteTree(dir); // keys and TPM state of a throwaway PKI
  }

  private static void run(Path dir, int runs) throws Exception {
    try (ManufacturedTpm swtpm = ManufacturedTpm.start(dir.resolve("tpm"))) {
      byte[] akPublic;
      List<byte[]> values;
      try (Tpm t = Tpm.open(swtpm.spec())) {
        LoadedKey ek = t.createPrimary(Handles.RH_ENDORSEMENT, KeyTemplate.endorsementRsa2048());
        LoadedKey ak = t.load(ek, t.create(ek, KeyTemplate.attestationKey()));
        t.persist(ak, Handles.AK_PERSISTENT);
        akPublic = ak.publicArea().marshalled();
        t.flushContext(ak.handle());
        t.flushContext(ek.handle());
        values = t.pcrRead(PcrSelection.sha256(0, 2, 7)).values();
      }
      Path d = Files.createDirectories(dir.resolve("daemon"));
      Files.copy(swtpm.ekCa(), d.resolve("ek-ca.pem"));
      HexFormat hex = HexFormat.of();
      String golden = "{ \"0\" = \"%s\", \"2\" = \"%s\", \"7\" = \"%s\" }".formatted(hex.formatHex(values.get(0)),
          hex.formatHex(values.get(1)), hex.formatHex(values.get(2)));
      ThrowawayDaemon.Pki pki = ThrowawayDaemon.pki(d);
      KeyPair keys = Issuer.newKeyPair("ec");
      BigInteger serial = Issuer.newSerial();
      Instant now = Instant.now();
      X509Certificate leaf = Issuer.attestedLeaf(pki.ca(), pki.caKeys().getPrivate(), serial, "dev-bench",
          keys.getPublic(), now, Duration.ofDays(1));
      CertifiedKey device = new CertifiedKey(keys.getPrivate(), List.of(leaf, pki.ca()));
      String extra = """
          [commands.UNLOCK]
          reply = "DISK_KEY"
          allow = ["dev-*"]
          require_state = "golden"
          [commands.PLAIN]
          reply = "DISK_KEY"
          allow = ["dev-*"]
          [enrollment]
          ca_certificate = "ca.crt"
          ca_key = "ca.key"
          allow = ["dev-*"]
          [attestation]
          ek_ca = "ek-ca.pem"
          [attestation.states.golden]
          pcrs = [0, 2, 7]
          allowed = [ %s ]
          """.formatted(golden);
      try (ThrowawayDaemon daemon = ThrowawayDaemon.start(d, pki, extra, device, config -> {
        // what ENROLL-PROOF records: the issued serial, and the AK enrolled for it
        Config c = ConfigLoader.load(config);
        StateStores.issuanceLog(c).append(new Issuance(serial.toString(16), "dev-bench",
            leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant(), Issuance.ENROLLED, now,
            hex.formatHex(MessageDigest.getInstance("SHA-256").digest(keys.getPublic().getEncoded())), false));
        StateStores.enrollmentRegistry(c).recordEnrollment(new Enrollment(serial.toString(16), "dev-bench",
            "ab".repeat(32), akPublic, now));
      })) {
        String spec = swtpm.tcti();
        SecureCmdClient client = daemon.client();
        int port = daemon.port();
        Run plain = () -> {
          try (Connection c = client.connect("127.0.0.1", port)) {
            expect(c.send("PLAIN"));
          }
        };
        Run twice = () -> {
          try (Connection c = client.connect("127.0.0.1", port)) {
            expect(c.send("PLAIN"));
            expect(c.send("PLAIN"));
          }
        };
        Run withNonce = () -> {
          try (Connection c = client.connect("127.0.0.1", port)) {
            if (c.send("NONCE").isError()) throw new IllegalStateException("NONCE refused");
            expect(c.send("PLAIN"));
          }
        };
        Run attest = () -> {
          try (Connection c = client.connect("127.0.0.1", port);
               StateAttestation tpm = StateAttestation.open(spec)) {
            Reply first = tpm.prove(c, StateAttestation.ALL_PCRS);
            if (first.isError()) throw new IllegalStateException("quote refused: " + first.line());
            expect(tpm.send(c, "UNLOCK"));
          }
        };
        Run onDemand = () -> {
          try (Connection c = client.connect("127.0.0.1", port);
               StateAttestation tpm = StateAttestation.open(spec)) {
            expect(tpm.send(c, "UNLOCK"));
          }
        };
        byte[] nonce = new byte[32];
        Run tpmAlone = () -> {
          try (Tpm t = Tpm.open(swtpm.spec())) {
            LoadedKey ak = t.persistentKey(Handles.AK_PERSISTENT);
            PcrSelection all24 = new PcrSelection(Alg.SHA256, StateAttestation.ALL_PCRS);
            t.quote(ak, nonce, all24);
            t.pcrRead(all24);
          }
        };
        List<Run> all = List.of(plain, twice, withNonce, attest, onDemand, tpmAlone);
        for (int i = 0; i < 10; i++) {
          for (Run r : all) time(r); // warm-up: the daemon's and this JVM's JIT
        }
        List<List<Double>> ms = new ArrayList<>();
        for (Run r : all) ms.add(new ArrayList<>());
        String loadBefore = EnrollBench.loadAverage();
        for (int i = 0; i < runs; i++) {
          for (int j = 0; j < all.size(); j++) {
            int k = (j + i) % all.size(); // the order rotates, so no kind always runs first
            ms.get(k).add(time(all.get(k)));
          }
        }
        System.out.printf(Locale.ROOT, "%s, load average %s (before) %s (after), %d runs each, interleaved%n",
            Instant.now(), loadBefore, EnrollBench.loadAverage(), runs);
        System.out.printf("%n| one connection (full mTLS handshake) | median ms | p90 ms | median - PLAIN |%n"
            + "|---|---:|---:|---:|%n");
        String[] names = {"PLAIN: the command alone", "PLAIN twice on one connection: one more round trip",
            "NONCE + PLAIN on one connection",
            "--attest UNLOCK: NONCE + quote of all 24 PCRs + QUOTE + command",
            "UNLOCK on demand: command, ATTESTATION_REQUIRED, NONCE + quote of 0,2,7 + QUOTE, command",
            "(no connection) the TPM part of --attest: open swtpm, TPM2_Quote + TPM2_PCR_Read of 24 PCRs"};
        double base = percentile(ms.get(0), 50);
        for (int k = 0; k < all.size(); k++) {
          double median = percentile(ms.get(k), 50);
          System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %+.1f |%n", names[k], median, percentile(ms.get(k), 90),
              median - base);
        }
      }
    }
  }

  /** One measured run: a command on a new connection, or the TPM's part alone. */
  @FunctionalInterface
  private interface Run {
    void call() throws Exception;
  }

  private static double time(Run r) throws Exception {
    long t0 = System.nanoTime();
    r.call();
    return (System.nanoTime() - t0) / 1e6;
  }

  /** A run whose command was not served would measure a refusal: stop instead. */
  private static void expect(Reply reply) {
    if (reply.isError() || !reply.text().equals("DISK_KEY")) {
      throw new IllegalStateException("expected DISK_KEY, got " + reply.line());
    }
  }

  private static double percentile(List<Double> values, int p) {
    List<Double> sorted = values.stream().sorted().toList();
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
