package org.securecmd.bench;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.securecmd.daemon.attest.AttestationKey;
import org.securecmd.daemon.attest.PcrState;
import org.securecmd.daemon.attest.QuoteVerifier;
import org.securecmd.daemon.attest.VerifiedQuote;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.Handles;
import org.securecmd.tpm.KeyTemplate;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.PcrSelection;
import org.securecmd.tpm.Tpm;
import org.securecmd.tpm.TpmSpec;

/**
 * What {@code QUOTE} costs the server: a real TPM2_Quote of PCRs 0, 2 and 7 made once by swtpm (an AK under
 * an RSA EK), then verified as the server does (the recorded AK's public area parsed, the signature, nonce, selection
 * and digest checked, the values matched against a state) by {@code THREADS} threads for {@code SECONDS}.
 * Prints verifications per second. A benchmark: it asserts nothing.
 *
 * <pre>java -cp ... org.securecmd.bench.QuoteBench [THREADS=8] [SECONDS=10]</pre>
 */
public final class QuoteBench {
  private QuoteBench() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path state = Files.createTempDirectory("quote-bench");
    int port = freePortPair();
    Process swtpm = new ProcessBuilder("swtpm", "socket", "--tpm2", "--server",
        "type=tcp,port=" + port + ",bindaddr=127.0.0.1", "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
        "--tpmstate", "dir=" + state, "--flags", "not-need-init,startup-clear").inheritIO().start();
    try {
      waitForPort(port);
      byte[] nonce = new byte[32];
      byte[] ak;
      Attestation quote;
      byte[] values;
      try (Tpm tpm = Tpm.open(new TpmSpec.Swtpm("127.0.0.1", port))) {
        LoadedKey e = tpm.createPrimary(Handles.RH_ENDORSEMENT, KeyTemplate.endorsementRsa2048());
        LoadedKey a = tpm.load(e, tpm.create(e, KeyTemplate.attestationKey()));
        PcrSelection sel = PcrSelection.sha256(0, 2, 7);
        quote = tpm.quote(a, nonce, sel);
        values = tpm.pcrRead(sel).concatenated();
        ak = a.publicArea().marshalled();
      }
      Map<Integer, byte[]> set = Map.of(0, slice(values, 0), 2, slice(values, 1), 7, slice(values, 2));
      List<PcrState> states = List.of(new PcrState("golden", List.of(0, 2, 7), List.of(set)));
      LongAdder done = new LongAdder();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      Thread[] workers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        workers[t] = Thread.ofPlatform().start(() -> {
          try {
            while (System.nanoTime() < end) {
              VerifiedQuote q = QuoteVerifier.verify(AttestationKey.enrolled(ak), nonce, quote.attest(),
                  quote.signatureBytes(), values, List.of(0, 2, 7));
              if (PcrState.satisfied(states, q).isEmpty()) throw new IllegalStateException("no state matched");
              done.increment();
            }
          } catch (Exception x) {
            throw new IllegalStateException(x);
          }
        });
      }
      for (Thread w : workers) w.join();
      System.out.printf("quote verifications: %d threads, %d s: %.0f per second%n", threads, seconds,
          done.sum() / (double) seconds);
    } finally {
      swtpm.destroy();
      swtpm.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static byte[] slice(byte[] values, int i) {
    return java.util.Arrays.copyOfRange(values, i * 32, i * 32 + 32);
  }

  private static void waitForPort(int port) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < end) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (java.io.IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("swtpm is not listening on " + port);
  }

  private static int freePortPair() throws java.io.IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket a = new ServerSocket(0)) {
        int p = a.getLocalPort();
        if (p >= 65535) continue;
        try (ServerSocket b = new ServerSocket(p + 1)) {
          return p;
        } catch (java.io.IOException taken) {
          // try another
        }
      }
    }
    throw new java.io.IOException("no two consecutive free ports");
  }
}
