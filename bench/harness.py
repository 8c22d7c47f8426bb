#!/usr/bin/env python3
"""bench/run.sh's engine: starts the servers, runs the native load generator (bench/tlsload) against each,
scenario by scenario, the targets interleaved round by round, and prints one Markdown table of medians.

Not run by hand: bench/run.sh builds what this needs, makes the PKI and the daemon's configuration in a
temporary directory and passes their paths. Asserts nothing: a benchmark, not a test.
"""
import argparse
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import time

SECRET = "BENCH_SECRET_0123456789"
# What bench/run.sh gives the daemon: one device certificate from one address opens thousands of connections.
DAEMON_LIMITS = ("max_connections = 20000\nmax_requests_per_connection = 1000000\n"
                 "max_connections_per_identity = 20000\nmax_handshakes_per_address = 20000")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid):
    # utime + stime of the whole process (all threads): fields 14 and 15 of /proc/PID/stat
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_kib(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE // 1024


class Target:
    """One server under test: its processes (whose CPU and memory are its cost), port and reply."""

    def __init__(self, name, port, commands, reply=SECRET, one_at_a_time=False, load_args=()):
        self.name, self.port, self.reply, self.one_at_a_time = name, port, reply, one_at_a_time
        self.commands, self.load_args, self.procs = commands, list(load_args), []

    def start(self, work):
        for i, cmd in enumerate(self.commands):
            log = open(os.path.join(work, f"{self.name}.{i}.log"), "w")
            self.procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=work))
            if i < len(self.commands) - 1:
                time.sleep(0.2)  # a backend first: stunnel connects to it only per connection anyway
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # bounded readiness poll
            if any(p.poll() is not None for p in self.procs):
                sys.exit(f"bench: {self.name} exited; see {work}/{self.name}.*.log")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit(f"bench: {self.name} does not listen on {self.port} after 30 s")

    def await_reply(self, args):
        """Bounded: until one connection gets its reply (a balancer first has to see its daemons up)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if load(args, self, ["-n", "1", "--timeout", "5"], quiet=True).get("errors", 1) == 0:
                return
            time.sleep(0.5)
        sys.exit(f"bench: {self.name} gives no reply after 30 s; see {args.work}/{self.name}.*.log")

    def cpu(self):
        return sum(cpu_ticks(p.pid) for p in self.procs)

    def rss(self):
        return sum(rss_kib(p.pid) for p in self.procs)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def parse(text):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", text)}


def load(args, target, extra, on_held=None, quiet=False):
    """One tlsload run against one target; returns its figures plus the server's CPU over the run."""
    cmd = [args.tlsload, "--port", str(target.port), "--ca", f"{args.work}/ca.crt", "--cert",
           f"{args.work}/client.crt", "--key", f"{args.work}/client.key", "--expect", target.reply] \
        + target.load_args + extra
    cpu0, rss0 = target.cpu(), target.rss()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else None, text=True)
    out, held = [], {}
    for line in p.stdout:
        out.append(line)
        if line.startswith("held=") and on_held:
            held = on_held()
    p.wait()
    r = parse("".join(out))
    r.update(held)
    r["server_cpu_ms"] = (target.cpu() - cpu0) * 1000 / CLK_TCK
    r["rss0_kib"], r["rss_kib"] = rss0, held.get("held_rss_kib", target.rss())
    if p.returncode != 0:
        r["errors"] = r.get("errors", 0) + 1
    return r


def scenarios(args):
    """(name, tlsload arguments, unit of the CPU figure, skip s_server?) for the selected scenarios."""
    n = args.connections
    all_ = {
        "full8": ("full c=8", ["-c", "8", "-n", str(n)], "conn", False),
        "full64": ("full c=64", ["-c", "64", "-n", str(n)], "conn", False),
        "resumed8": ("resumed c=8", ["-c", "8", "-n", str(n), "--resume"], "conn", False),
        "kept": (f"kept 8x{args.kept}", ["-c", "8", "-n", "8", "-k", str(args.kept)], "req", False),
        "idle": (f"idle {args.idle} held {args.hold}s", ["-c", "8", "--idle", str(args.idle), "--hold",
                                                         str(args.hold)], "idle", True),
    }
    return [(key,) + all_[key] for key in args.only.split(",")]


def median(rows, key):
    vals = [r[key] for r in rows if key in r]
    return statistics.median(vals) if vals else float("nan")


def fmt(x, digits=3):
    if x != x:  # NaN
        return "–"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--tlsload", required=True)
    ap.add_argument("--daemon", required=True, help="the daemon's command line, shell words")
    ap.add_argument("--jsse", required=True, help="JsseServer's command line without JVM flags, shell words")
    ap.add_argument("--launcher-flags", required=True)
    ap.add_argument("--daemon-port", type=int, required=True)
    ap.add_argument("--daemon-base", help="a second daemon's command line (another build, for an A/B)")
    ap.add_argument("--daemon-base-port", type=int)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=1500)
    ap.add_argument("--kept", type=int, default=1000)
    ap.add_argument("--idle", type=int, default=3000)
    ap.add_argument("--hold", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1500)
    ap.add_argument("--only", default="full8,full64,resumed8,kept,idle")
    ap.add_argument("--targets", default="securecmd,jsse,jsse-launcher,stunnel,s_server",
                    help="also haproxy-1, haproxy-2: HAProxy in front of one and of two daemons")
    ap.add_argument("--java-client", help="run this Java load generator (LoadGen, shell words) instead of tlsload")
    ap.add_argument("--java-client-args", default="", help="extra LoadGen options, shell words")
    args = ap.parse_args()
    w = args.work
    flags = shlex.split(args.launcher_flags)

    port = {name: free_port() for name in ("jsse", "jsse-launcher", "stunnel", "backend", "s_server")}
    with open(f"{w}/stunnel.conf", "w") as f:
        # As stunnel's users run it: warnings only, no log file, foreground under the harness.
        f.write(f"foreground = yes\npid =\ndebug = warning\n[securecmd]\naccept = 127.0.0.1:{port['stunnel']}\n"
                f"connect = 127.0.0.1:{port['backend']}\ncert = {w}/server.crt\nkey = {w}/server.key\n"
                f"CAfile = {w}/ca.crt\nverifyChain = yes\nrequireCert = yes\nsslVersionMin = TLSv1.3\n")
    jsse = shlex.split(args.jsse)
    jsse_args = [f"{w}/server.crt", f"{w}/server.key", f"{w}/ca.crt", SECRET]
    known = {
        "securecmd": Target("securecmd", args.daemon_port, [shlex.split(args.daemon)]),
        "jsse": Target("jsse", port["jsse"], [jsse[:1] + jsse[1:] + [str(port["jsse"])] + jsse_args]),
        "jsse-launcher": Target("jsse-launcher", port["jsse-launcher"],
                                [jsse[:1] + flags + jsse[1:] + [str(port["jsse-launcher"])] + jsse_args]),
        "stunnel": Target("stunnel", port["stunnel"],
                          [[f"{w}/plain_backend", str(port["backend"]), SECRET], ["stunnel4", f"{w}/stunnel.conf"]]),
        # -rev answers each line with the line reversed: one line in, one line out, like the others.
        "s_server": Target("s_server", port["s_server"],
                           [["openssl", "s_server", "-accept", f"127.0.0.1:{port['s_server']}", "-cert",
                             f"{w}/server.crt", "-key", f"{w}/server.key", "-CAfile", f"{w}/ca.crt", "-Verify", "1",
                             "-tls1_3", "-rev", "-quiet"]],
                           reply="TERCES_TEG", one_at_a_time=True),
    }
    if args.daemon_base:
        known["securecmd-base"] = Target("securecmd-base", args.daemon_base_port, [shlex.split(args.daemon_base)])
        if "securecmd-base" not in args.targets:
            args.targets = args.targets.replace("securecmd", "securecmd,securecmd-base", 1)
    for name, n in (("haproxy-1", 1), ("haproxy-2", 2)):
        if name in args.targets.split(","):
            known[name] = haproxy_target(args, name, n)
    targets = [known[t] for t in args.targets.split(",")]
    results = {}  # (scenario key, target name) -> [round figures]
    try:
        for t in targets:
            t.start(w)
        for t in targets:
            t.await_reply(args)
        if args.java_client:
            return java_client(args, targets)
        print(f"bench: {os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f} "
              f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", file=sys.stderr)
        load_before = os.getloadavg()
        for t in targets:  # warm-up, not reported: the JVMs' hot paths compiled, every server's caches filled
            load(args, t, ["-c", "8", "-n", str(args.warmup)])
            load(args, t, ["-c", "8", "-n", str(args.warmup // 2), "--resume"])
        for rnd in range(args.rounds):
            order = targets[rnd % len(targets):] + targets[:rnd % len(targets)]  # rotate who goes first
            for key, name, extra, unit, skip_one in scenarios(args):
                for t in order:
                    if skip_one and t.one_at_a_time:
                        continue
                    on_held = None
                    if unit == "idle":
                        on_held = lambda t=t: {"held_rss_kib": t.rss(), "held_fds": sum(
                            len(os.listdir(f"/proc/{p.pid}/fd")) for p in t.procs)}
                    r = load(args, t, extra, on_held)
                    results.setdefault((key, t.name), []).append(r)
                    print(f"bench: round {rnd + 1} {name} {t.name}: " + " ".join(
                        f"{k}={v:g}" for k, v in r.items()), file=sys.stderr)
        load_after = os.getloadavg()
    finally:
        for t in targets:
            t.stop()
    print_table(args, targets, results, load_before, load_after)


def haproxy_target(args, name, daemons):
    """HAProxy (the shipped etc/haproxy/securecmd.cfg: PROXY v2, balance source) in front of 1 or 2 daemons
    of their own; the row's CPU and RSS are HAProxy's plus its daemons'. Workers connect from 64 loopback
    addresses, so balance source spreads them over the daemons and keeps each on one (it resumes)."""
    w, commands, ports = args.work, [], []
    for i in range(daemons):
        port = free_port()
        ports.append(port)
        config = subprocess.run(["scripts/throwaway-config.sh", f"{name}-d{i}", str(port), SECRET,
                                 DAEMON_LIMITS + '\nproxy_protocol = ["127.0.0.1/32"]'],
                                check=True, capture_output=True, text=True).stdout
        with open(f"{w}/{name}-d{i}.toml", "w") as f:
            f.write(config)
        commands.append(shlex.split(re.sub(r"--config \S+", f"--config {w}/{name}-d{i}.toml", args.daemon)))
    front = free_port()
    with open("etc/haproxy/securecmd.cfg") as f:
        cfg = f.read().replace("@FRONTEND@", f"127.0.0.1:{front}").replace("@DAEMON_1@", f"127.0.0.1:{ports[0]}")
    cfg = cfg.replace("@DAEMON_2@", f"127.0.0.1:{ports[1]}") if daemons == 2 else \
        "\n".join(l for l in cfg.splitlines() if "@DAEMON_2@" not in l) + "\n"
    with open(f"{w}/{name}.cfg", "w") as f:
        f.write(cfg)
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    return Target(name, front, commands + [[haproxy, "-db", "-f", f"{w}/{name}.cfg"]], load_args=["--sources", "64"])


def java_client(args, targets):
    """The JSSE client's view (the old load generator), against the same servers: its own table."""
    w = args.work
    cmd = shlex.split(args.java_client) + ["--ca", f"{w}/ca.crt", "--cert", f"{w}/client.crt", "--key",
                                           f"{w}/client.key", "--secret", SECRET, "--clk-tck", str(CLK_TCK)]
    for t in targets:
        if t.reply != SECRET:
            continue  # s_server's reply is the request reversed; LoadGen expects the secret
        cmd += ["--target", f"{t.name}=127.0.0.1:{t.port}:" + ",".join(str(p.pid) for p in t.procs)
                + (":jvm" if t.name.startswith(("securecmd", "jsse")) else "")]
    print(f"bench: Java load generator; load average before: {os.getloadavg()}", file=sys.stderr)
    subprocess.run(cmd + shlex.split(args.java_client_args), check=False)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def print_table(args, targets, results, load_before, load_after):
    refs = [t.name for t in targets if t.name != "securecmd"]
    print(f"\nMedians of {args.rounds} interleaved rounds; load average before "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in load_after)}.")
    print("CPU = utime+stime of the server's processes over the scenario (/proc), per connection (per request "
          "for kept); \"× X\" = that CPU divided by X's in the same scenario.\n")
    head = ["scenario", "target", "ok", "err", "conn/s", "req/s", "p50 ms", "p99 ms", "max ms", "server CPU",
            "client CPU"] + [f"× {r}" for r in refs] + ["RSS MiB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * 2 + "---:|" * (len(head) - 2))
    for key, name, extra, unit, skip_one in scenarios(args):
        cpu = {}
        for t in targets:
            rows = results.get((key, t.name))
            if not rows:
                continue
            per = [r["server_cpu_ms"] / max(1, r["requests"] if unit == "req" else r["connections"]) for r in rows]
            for r, p in zip(rows, per):
                r["cpu_per"] = p
            cpu[t.name] = median(rows, "cpu_per")
        for t in targets:
            rows = results.get((key, t.name))
            if not rows:
                continue
            ok = median(rows, "requests" if unit == "req" else "connections")
            err = sum(r.get("errors", 0) for r in rows)
            if unit == "idle":
                per_conn = [(r["rss_kib"] - r["rss0_kib"]) / max(1, r["connections"]) for r in rows]
                rss = f"{median(rows, 'rss0_kib') / 1024:.0f} → {median(rows, 'rss_kib') / 1024:.0f} " \
                      f"({statistics.median(per_conn):.1f} KiB/conn; re-checked {median(rows, 'rechecked'):.0f})"
            else:
                rss = f"{median(rows, 'rss_kib') / 1024:.0f}"
            cpu_unit = "µs/req" if unit == "req" else "ms/conn"
            scale = 1000 if unit == "req" else 1
            ratios = [fmt(cpu[t.name] / cpu[r], 3) if r in cpu and r != t.name and cpu[r] > 0 else ""
                      for r in refs]
            client = median(rows, "client_cpu_ms_per_conn")
            if unit == "req":
                client = client * median(rows, "connections") / max(1, ok)
            cells = [name, t.name, f"{ok:.0f}", f"{err:.0f}", fmt(median(rows, "conn_per_s")),
                     fmt(median(rows, "req_per_s")), fmt(median(rows, "p50_ms")), fmt(median(rows, "p99_ms")),
                     fmt(median(rows, "max_ms")), f"{fmt(cpu[t.name] * scale)} {cpu_unit}",
                     f"{fmt(client * scale)} {cpu_unit}"] + ratios + [rss]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
