package org.securecmd.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;

/**
 * securecmd's load generator: runs bounded scenarios against one or more targets (securecmd first, then
 * what it is compared with) and prints one table, with each figure's ratio to the second target.
 *
 * <pre>
 * java -cp securecmd-client.jar:classes org.securecmd.bench.LoadGen --ca ca.crt --cert dev.crt --key dev.key \
 *   --secret S --target securecmd=127.0.0.1:5000:PID --target stunnel=127.0.0.1:5001:PID1,PID2 \
 *   [--storm-target securecmd-cap=127.0.0.1:5002:PID] [--scale quick|full] [--idle N] [--idle-cap NAME=N]
 *   [--hold S] [--storm-attempts N] [--only full,resumed,kept,idle,storm] [--clk-tck 100]
 *   [--concurrency 1,8,64,512] [--sources N]
 * </pre>
 * {@code --sources N}: each worker connects from its own address of 127.0.0.2 .. 127.0.0.(N+1) (a balancer
 * with {@code balance source} then spreads them, and keeps each on one daemon).
 * Called by {@code bench/run.sh}, which sets everything up. Asserts nothing; exits 0 unless it cannot run.
 */
public final class LoadGen {
  private LoadGen() {}

  public static void main(String[] args) throws Exception {
    Map<String, List<String>> o = options(args);
    List<Target> targets = o.getOrDefault("target", List.of()).stream().map(Target::parse).toList();
    List<Target> stormTargets = o.getOrDefault("storm-target", List.of()).stream().map(Target::parse).toList();
    boolean quick = one(o, "scale", "full").equals("quick");
    int idle = Integer.parseInt(one(o, "idle", quick ? "1000" : "10000"));
    int hold = Integer.parseInt(one(o, "hold", quick ? "5" : "30"));
    int stormAttempts = Integer.parseInt(one(o, "storm-attempts", quick ? "2000" : "10000"));
    int clk = Integer.parseInt(one(o, "clk-tck", "100"));
    String only = one(o, "only", "full,resumed,kept,idle,storm");

    HandshakeSetup setup = new HandshakeSetup.Builder()
        .addTrustedCertificates(Pem.readCertificates(Path.of(one(o, "ca", null))))
        .certifiedKey(CertifiedKey.load(Path.of(one(o, "cert", null)), Path.of(one(o, "key", null))))
        .build();
    List<java.net.InetAddress> sources = new ArrayList<>();
    int sourceCount = Integer.parseInt(one(o, "sources", "0"));
    for (int i = 0; i < sourceCount; i++) sources.add(java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}));
    Scenarios s = new Scenarios(new Dialer(setup, 10_000, sources), one(o, "secret", null), clk);
    Table table = new Table();

    // Warm-up, not reported: the JIT compiles the handshake paths of both servers (and of this client).
    for (Target t : targets) s.handshakes(t, false, 8, quick ? 200 : 600, 60);
    for (Target t : targets) s.handshakes(t, true, 8, quick ? 100 : 300, 60);
    int[] concurrencies = java.util.Arrays.stream(one(o, "concurrency", "1,8,64,512").split(","))
        .mapToInt(Integer::parseInt).toArray();
    for (int c : concurrencies) {
      int count = quick ? Math.max(100, c * 4) : Math.max(500, c * 8);
      if (only.contains("full")) for (Target t : targets) table.add(s.handshakes(t, false, c, count, 120));
      if (only.contains("resumed")) for (Target t : targets) table.add(s.handshakes(t, true, c, count, 120));
    }
    if (only.contains("kept")) {
      for (int c : new int[] {1, 8, 64}) {
        int per = quick ? 200 : 1000;
        for (Target t : targets) table.add(s.kept(t, c, c == 64 ? per / 4 : per, 120));
      }
    }
    if (only.contains("idle")) {
      Map<String, Integer> caps = new LinkedHashMap<>(); // e.g. stunnel=9000: two fds per connection
      for (String c : o.getOrDefault("idle-cap", List.of())) caps.put(c.split("=")[0], Integer.parseInt(c.split("=")[1]));
      for (Target t : targets) table.add(s.idle(t, Math.min(idle, caps.getOrDefault(t.name(), idle)), hold, 32));
    }
    if (only.contains("storm")) {
      for (Target t : stormTargets) table.add(s.storm(t, stormAttempts, 512, 180));
    }
    table.print(System.out, targets.isEmpty() ? null : targets.get(targets.size() - 1).name());
  }

  private static Map<String, List<String>> options(String[] args) {
    Map<String, List<String>> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --option, got " + args[i]);
      o.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[i + 1]);
    }
    return o;
  }

  private static String one(Map<String, List<String>> o, String key, String fallback) {
    List<String> v = o.get(key);
    if (v == null || v.isEmpty()) {
      if (fallback == null) throw new IllegalArgumentException("missing --" + key);
      return fallback;
    }
    return v.get(v.size() - 1);
  }
}
