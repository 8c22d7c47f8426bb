package org.securecmd.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.securecmd.client.ClientException;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;

/**
 * How long a revoke on daemon A takes to close the device's open connection on daemon B, and how long an
 * unrevoke on A takes until B accepts the device again (both share the deny list in PostgreSQL). Run by
 * bench/revoke-propagation.sh; securecmdctl runs in this JVM (no JVM start in the figures).
 *
 * <p>{@code RevokePropagation DIR PORT_B ROUNDS}: DIR has ca.crt, client.crt/.key (tutorial-pki.sh) and a-admin.sock.
 */
public final class RevokePropagation {
  private RevokePropagation() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int portB = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder()
        .addTrustedCertificates(Pem.readCertificates(dir.resolve("ca.crt")))
        .certifiedKey(CertifiedKey.load(dir.resolve("client.crt"), dir.resolve("client.key"))).build(),
        java.time.Duration.ofSeconds(5));
    String socket = dir.resolve("a-admin.sock").toString();
    List<Double> revoke = new ArrayList<>();
    List<Double> unrevoke = new ArrayList<>();
    for (int i = -1; i < rounds; i++) { // round -1 warms up both JVMs and is not counted
      try (Connection held = client.connect("127.0.0.1", portB)) {
        if (!"PONG".equals(held.send("PING").text())) throw new IllegalStateException("B does not serve the device");
        long t0 = System.nanoTime();
        ctl(socket, "revoke", "trusted-client", "--reason", "bench round " + i);
        while (alive(held)) {
          if (System.nanoTime() - t0 > 10_000_000_000L) throw new IllegalStateException("not closed within 10 s");
        }
        if (i >= 0) revoke.add((System.nanoTime() - t0) / 1e6);
      }
      long t1 = System.nanoTime();
      ctl(socket, "unrevoke", "trusted-client");
      while (true) {
        try (Connection c = client.connect("127.0.0.1", portB)) {
          if ("PONG".equals(c.send("PING").text())) break;
        } catch (ClientException refusedStill) {
          // not yet
        }
        if (System.nanoTime() - t1 > 10_000_000_000L) throw new IllegalStateException("not accepted within 10 s");
      }
      if (i >= 0) unrevoke.add((System.nanoTime() - t1) / 1e6);
    }
    System.out.println("revoke on A until the held connection on B is closed: " + summary(revoke));
    System.out.println("unrevoke on A until B accepts the device again:       " + summary(unrevoke)
        + " (includes a full handshake per try)");
  }

  private static boolean alive(Connection held) {
    try {
      held.send("PING");
      return true;
    } catch (ClientException e) {
      return false;
    }
  }

  private static void ctl(String socket, String... words) {
    List<String> args = new ArrayList<>(List.of("--socket", socket));
    args.addAll(List.of(words));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = org.securecmd.daemon.ctl.Main.run(args.toArray(String[]::new),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    if (code != 0) throw new IllegalStateException("securecmdctl " + words[0] + " exited " + code + ": " + err);
  }

  private static String summary(List<Double> ms) {
    List<Double> s = new ArrayList<>(ms);
    Collections.sort(s);
    return String.format("n=%d  min %.1f ms  median %.1f ms  p90 %.1f ms  max %.1f ms", s.size(), s.getFirst(),
        s.get(s.size() / 2), s.get((int) Math.min(s.size() - 1, Math.ceil(s.size() * 0.9) - 1)), s.getLast());
  }
}
