#!/usr/bin/env python3
"""bench/run.sh's engine: starts the servers, runs the native load generator (bench/tlsload) against each,
scenario by scenario, the targets interleaved round by round, and prints one Markdown table of medians.

Not run by hand: bench/run.sh builds what this needs, makes the PKI and the daemon's configuration in a
temporary directory and passes their paths. Asserts nothing: a benchmark, not a test.
"""
import argparse
import os
import re
import resource
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
# The idle figure published before issue 26's work, printed beside this run's (docs/performance.md).
PUBLISHED_IDLE = ("24.3 KiB per connection at 10,000 and at 19,000 held (docs/performance.md as of build 4422734; "
                  "JSSE SSLSocket, one virtual thread per connection)")
# The kernel objects behind an open socket (slab caches): the socket, its inode, file, dentry, epoll entries.
SOCKET_SLABS = ("TCP", "TCPv6", "sock_inode_cache", "filp", "dentry", "eventpoll_epi", "eventpoll_pwq",
                "skbuff_head_cache")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stat_ticks(text):
    """utime + stime from the text of a /proc stat file: fields 14 and 15, counted after the ')' of the name."""
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_ticks(pid):
    """(utime + stime of the process without its JIT compiler threads, the compilers' own), in clock ticks.

    The process's figure (/proc/PID/stat) includes threads that have ended (stunnel's per-connection threads,
    a JVM's retired carrier threads); the compilers' is summed over their live threads (/proc/PID/task). The
    JIT is reported apart: a JVM's C2 threads were still compiling after 20,000 handshakes (up to a fifth of
    its CPU in a burst, varying from one JVM to the next), which is warm-up, not the cost of a connection."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            total = stat_ticks(f.read())
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return 0, 0
    jit = 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except FileNotFoundError:
            continue  # the thread ended between listdir and open
        if text[text.index("(") + 1:text.rindex(")")].startswith(("C1 CompilerThre", "C2 CompilerThre")):
            jit += stat_ticks(text)
    return total - jit, jit


def kernel_sockets():
    """The kernel's memory for sockets: TCP sockets in use and their buffers' pages (/proc/net/sockstat and
    sockstat6, this network namespace), and the bytes of the slab caches behind open sockets (/proc/slabinfo, the whole
    machine, so other work moves it too; not readable without root: then absent)."""
    r = {}
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                w = line.split()
                r["tcp_inuse"], r["tcp_mem_pages"] = int(w[w.index("inuse") + 1]), int(w[w.index("mem") + 1])
    try:  # a JVM's sockets are IPv6 ones (IPv4-mapped addresses): counted apart, as TCP6
        with open("/proc/net/sockstat6") as f:
            r["tcp_inuse"] += sum(int(line.split()[2]) for line in f if line.startswith("TCP6:"))
    except OSError:
        pass
    try:
        with open("/proc/slabinfo") as f:
            r["slab_bytes"] = sum(int(w[1]) * int(w[3]) for w in (line.split() for line in f) if w[0] in SOCKET_SLABS)
    except OSError:
        pass
    return r


def rss_kib(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE // 1024


class Target:
    """One server under test: its processes (whose CPU and memory are its cost), port and reply."""

    def __init__(self, name, port, commands, reply=SECRET, one_at_a_time=False, load_args=(), fds_per_conn=1):
        self.name, self.port, self.reply, self.one_at_a_time = name, port, reply, one_at_a_time
        self.fds_per_conn = fds_per_conn  # descriptors one held connection takes in the busiest process
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
        """(CPU ticks without the JIT compiler threads, the JIT's ticks), summed over the target's processes."""
        ticks = [cpu_ticks(p.pid) for p in self.procs]
        return sum(t[0] for t in ticks), sum(t[1] for t in ticks)

    def rss(self):
        return sum(rss_kib(p.pid) for p in self.procs)

    def stop(self):
        procs, self.procs = self.procs, []
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
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
    cpu0, rss0, kernel0 = target.cpu(), target.rss(), kernel_sockets()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else None, text=True)
    out, held = [], {}
    for line in p.stdout:
        out.append(line)
        if line.startswith("held=") and on_held:
            held = on_held()
    p.wait()
    r = parse("".join(out))
    r.update(held)
    cpu1 = target.cpu()
    r["server_cpu_ms"] = (cpu1[0] - cpu0[0]) * 1000 / CLK_TCK
    r["jit_cpu_ms"] = (cpu1[1] - cpu0[1]) * 1000 / CLK_TCK
    r["rss0_kib"], r["rss_kib"] = rss0, held.get("held_rss_kib", target.rss())
    for k, v in kernel0.items():
        r[k + "0"] = v
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
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--hold", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3000, help="warm-up connections at least")
    ap.add_argument("--warmup-max", type=int, default=10000, help="warm-up connections at most")
    ap.add_argument("--jit-settled", type=float, default=0.03,
                    help="warm-up ends once the JIT compilers use less than this share of the target's CPU")
    ap.add_argument("--keep-running", action="store_true",
                    help="one set of server processes for all rounds (default: fresh ones every round)")
    ap.add_argument("--only", default="full8,full64,resumed8,kept,idle")
    ap.add_argument("--targets", default="securecmd,jsse,jsse-launcher,stunnel,s_server",
                    help="also haproxy-1, haproxy-2: HAProxy in front of one and of two daemons; jsse-launcher-2: "
                         "a second jsse-launcher (an A/A pair: how far two identical servers differ); jsse-layered: "
                         "jsse-launcher accepting from a channel and layering TLS over each socket, as the daemon")
    ap.add_argument("--java-client", help="run this Java load generator (LoadGen, shell words) instead of tlsload")
    ap.add_argument("--java-client-args", default="", help="extra LoadGen options, shell words")
    args = ap.parse_args()
    w = args.work
    flags = shlex.split(args.launcher_flags)

    jsse_names = ("jsse", "jsse-launcher", "jsse-launcher-2", "jsse-layered")
    port = {name: free_port() for name in jsse_names + ("stunnel", "backend", "s_server")}
    with open(f"{w}/stunnel.conf", "w") as f:
        # As stunnel's users run it: warnings only, no log file, foreground under the harness.
        f.write(f"foreground = yes\npid =\ndebug = warning\n[securecmd]\naccept = 127.0.0.1:{port['stunnel']}\n"
                f"connect = 127.0.0.1:{port['backend']}\ncert = {w}/server.crt\nkey = {w}/server.key\n"
                f"CAfile = {w}/ca.crt\nverifyChain = yes\nrequireCert = yes\nsslVersionMin = TLSv1.3\n")
    jsse = shlex.split(args.jsse)
    jsse_args = [f"{w}/server.crt", f"{w}/server.key", f"{w}/ca.crt", SECRET]

    def jsse_target(name, jvm_flags, *extra):
        return Target(name, port[name], [jsse[:1] + jvm_flags + jsse[1:] + [str(port[name])] + jsse_args + list(extra)])

    known = {
        "securecmd": Target("securecmd", args.daemon_port, [shlex.split(args.daemon)]),
        "jsse": jsse_target("jsse", []),
        "jsse-launcher": jsse_target("jsse-launcher", flags),
        # The same engine on the daemon's I/O path: TLS layered over sockets accepted from a channel.
        "jsse-layered": jsse_target("jsse-layered", flags, "--layered"),
        # The same server again, its own process: an A/A pair, the method's own noise floor.
        "jsse-launcher-2": jsse_target("jsse-launcher-2", flags),
        "stunnel": Target("stunnel", port["stunnel"],
                          [[f"{w}/plain_backend", str(port["backend"]), SECRET], ["stunnel4", f"{w}/stunnel.conf"]],
                          fds_per_conn=2),
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
        if args.java_client:
            start_all(args, targets)
            return java_client(args, targets)
        print(f"bench: {os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f} "
              f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", file=sys.stderr)
        load_before = os.getloadavg()
        for rnd in range(args.rounds):
            # Fresh processes every round (unless --keep-running): one JVM's JIT can come out a few per cent
            # faster or slower than the next one's, so the rounds sample JVMs, not only the machine.
            if rnd == 0 or not args.keep_running:
                for t in targets:
                    t.stop()
                start_all(args, targets)
                for t in targets:
                    warm_up(args, t)
            order = targets[rnd % len(targets):] + targets[:rnd % len(targets)]  # rotate who goes first
            for key, name, extra, unit, skip_one in scenarios(args):
                for t in order:
                    if skip_one and t.one_at_a_time:
                        continue
                    on_held = None
                    if unit == "idle":
                        fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
                        if args.idle * t.fds_per_conn + 200 > fd_limit:
                            print(f"bench: {name} {t.name} skipped: it needs {t.fds_per_conn} descriptors per "
                                  f"connection in one process, over the file limit {fd_limit}", file=sys.stderr)
                            continue
                        on_held = lambda t=t: {"held_rss_kib": t.rss(), "held_fds": sum(
                            len(os.listdir(f"/proc/{p.pid}/fd")) for p in t.procs), **kernel_sockets()}
                    r = load(args, t, extra, on_held)
                    r["round"] = rnd
                    results.setdefault((key, t.name), []).append(r)
                    print(f"bench: round {rnd + 1} {name} {t.name}: " + " ".join(
                        f"{k}={v:g}" for k, v in r.items()), file=sys.stderr)
        load_after = os.getloadavg()
    finally:
        for t in targets:
            t.stop()
    print_table(args, targets, results, load_before, load_after)


def warm_up(args, t):
    """Not reported: until the JIT compilers' share of the target's CPU falls under --jit-settled over a batch
    of full and resumed handshakes (a fresh JVM's C2 threads use as much CPU as serving, for many thousands
    of handshakes), at least --warmup and at most --warmup-max connections. Native servers: --warmup only."""
    done, batch = 0, 1000
    while True:
        full = load(args, t, ["-c", "8", "-n", str(batch)])
        resumed = load(args, t, ["-c", "8", "-n", str(batch // 2), "--resume"])
        done += batch + batch // 2
        cpu = full["server_cpu_ms"] + resumed["server_cpu_ms"]
        jit = full["jit_cpu_ms"] + resumed["jit_cpu_ms"]
        share = jit / (cpu + jit) if cpu + jit > 0 else 0
        if done >= args.warmup and (share < args.jit_settled or done >= args.warmup_max):
            break
    t.warmed = (done, share)
    print(f"bench: {t.name} warmed up with {done} connections; JIT share of its CPU in the last batch "
          f"{100 * share:.1f} %", file=sys.stderr)


def start_all(args, targets):
    for t in targets:
        t.start(args.work)
    for t in targets:
        t.await_reply(args)


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


def paired(rows_a, rows_b, key):
    """a's figure over b's in the same round, one ratio per round both ran: the rounds share the machine's state."""
    b_by_round = {r["round"]: r[key] for r in rows_b if r.get(key)}
    return [r[key] / b_by_round[r["round"]] for r in rows_a if r["round"] in b_by_round and key in r]


def ratio_cell(ratios):
    if not ratios:
        return ""
    if len(ratios) < 3:
        return fmt(statistics.median(ratios), 3)
    return f"{fmt(statistics.median(ratios), 3)} ({fmt(min(ratios), 3)}–{fmt(max(ratios), 3)})"


def print_table(args, targets, results, load_before, load_after):
    refs = [t.name for t in targets if t.name != "securecmd"]
    fresh = "one set of processes for all rounds" if args.keep_running else "fresh processes every round"
    warm = ", ".join(f"{t.name} {t.warmed[0]} ({100 * t.warmed[1]:.1f} % JIT)" for t in targets
                     if getattr(t, "warmed", None))
    print(f"\nMedians of {args.rounds} interleaved rounds ({fresh}, each warmed up until its JIT compilers used "
          f"under {100 * args.jit_settled:.0f} % of its CPU, at least {args.warmup} and at most {args.warmup_max} "
          f"connections; last round: {warm}); load average before "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in load_after)}.")
    print("server CPU = utime+stime of the server's processes over the scenario (/proc), without the JIT "
          "compiler threads (their CPU is the JIT column), per connection (per request for kept); \"× X\" = "
          "that CPU over X's in the same round, median of the rounds (lowest–highest).\n")
    head = ["scenario", "target", "ok", "err", "conn/s", "req/s", "p50 ms", "p99 ms", "max ms", "server CPU",
            "JIT", "client CPU"] + [f"× {r}" for r in refs] + ["RSS MiB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * 2 + "---:|" * (len(head) - 2))
    for key, name, extra, unit, skip_one in scenarios(args):
        for t in targets:
            for r in results.get((key, t.name), []):
                n = max(1, r["requests"] if unit == "req" else r["connections"])
                r["cpu_per"], r["jit_per"] = r["server_cpu_ms"] / n, r.get("jit_cpu_ms", 0) / n
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
            ratios = [ratio_cell(paired(rows, results.get((key, r), []), "cpu_per")) if r != t.name else ""
                      for r in refs]
            client = median(rows, "client_cpu_ms_per_conn")
            if unit == "req":
                client = client * median(rows, "connections") / max(1, ok)
            cells = [name, t.name, f"{ok:.0f}", f"{err:.0f}", fmt(median(rows, "conn_per_s")),
                     fmt(median(rows, "req_per_s")), fmt(median(rows, "p50_ms")), fmt(median(rows, "p99_ms")),
                     fmt(median(rows, "max_ms")), f"{fmt(median(rows, 'cpu_per') * scale)} {cpu_unit}",
                     f"{fmt(median(rows, 'jit_per') * scale)}", f"{fmt(client * scale)} {cpu_unit}"] + ratios + [rss]
            print("| " + " | ".join(cells) + " |")
    ours = [t.name for t in targets if t.name.startswith("securecmd")]
    print_idle(args, targets, results)
    if not ours or not refs:
        return
    print("\nThe daemon against each reference, round by round (its figure over the reference's in the same "
          "round; median, lowest–highest):\n")
    print("| scenario | daemon | reference | server CPU | p99 | conn/s |")
    print("|---|---|---|---:|---:|---:|")
    for key, name, extra, unit, skip_one in scenarios(args):
        for d in ours:
            for r in refs:
                a, b = results.get((key, d), []), results.get((key, r), [])
                if not a or not b or r == d:
                    continue
                print(f"| {name} | {d} | {r} | {ratio_cell(paired(a, b, 'cpu_per'))} | "
                      f"{ratio_cell(paired(a, b, 'p99_ms'))} | {ratio_cell(paired(a, b, 'conn_per_s'))} |")


def print_idle(args, targets, results):
    """The issue's figure: RSS while N are held minus RSS just before they were opened, over N, with the
    kernel's memory for the same sockets beside it, and the figure published before."""
    rows = [(t.name, results[("idle", t.name)]) for t in targets if ("idle", t.name) in results]
    if not rows:
        return
    print(f"\nIdle connections held ({args.idle} asked, each a full mutual-TLS handshake and one request, held "
          f"{args.hold} s, then asked again); medians of the rounds. Kernel: TCP sockets in use from "
          "/proc/net/sockstat and sockstat6 (this network namespace), their buffers' pages from sockstat (the "
          "whole machine's), the socket slab caches from /proc/slabinfo (the whole machine's); both ends of each "
          "connection are on this host (loopback).\n")
    print("| target | held | RSS before → held | RSS per connection | TCP sockets Δ | socket buffers per connection "
          "| socket slabs per connection (both ends) | re-checked |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rs in rows:
        def per(key):
            vals = [(r[key] - r[key + "0"]) / max(1, r["connections"]) for r in rs if key in r and key + "0" in r]
            return statistics.median(vals) if vals else float("nan")
        per_rss = statistics.median((r["rss_kib"] - r["rss0_kib"]) / max(1, r["connections"]) for r in rs)
        inuse = statistics.median(r.get("tcp_inuse", 0) - r.get("tcp_inuse0", 0) for r in rs)
        print(f"| {name} | {median(rs, 'connections'):.0f} | {median(rs, 'rss0_kib') / 1024:.0f} → "
              f"{median(rs, 'rss_kib') / 1024:.0f} MiB | **{per_rss:.1f} KiB** | {inuse:.0f} | "
              f"{fmt(per('tcp_mem_pages') * PAGE)} B | {fmt(per('slab_bytes') / 1024)} KiB | "
              f"{median(rs, 'rechecked'):.0f} |")
    print(f"\nPublished before: {PUBLISHED_IDLE}.")


if __name__ == "__main__":
    main()
