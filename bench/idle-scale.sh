#!/usr/bin/env bash
# Idle connections at scale: for each count N, a fresh daemon (the jar with the packaged launcher's JVM
# flags, max_connections = N + 1000) holds N mutual-TLS connections (each made a full handshake and one
# request, then waits), counted by the daemon itself (securecmdctl status); prints its RSS per connection
# (RSS while held minus RSS just before they were opened, over N), the kernel's memory for those sockets
# (/proc/net/sockstat, /proc/slabinfo), and the CPU the idle daemon uses over a window with 0 and with N
# held: the whole process and its "deadlines" thread, which runs the registry's sweep (every 100 ms over the connections at work, once a second over all).
# Bounded: every hold ends by itself (--hold), everything is stopped on exit; asserts nothing.
#
#   bench/idle-scale.sh [N ...]      counts (default: 10000 max); "max" = as many as the file limit allows
#   IDLE_WINDOW=30 bench/idle-scale.sh ...   seconds of each CPU window (default 30)
#   BENCH_JAR=/tmp/old/securecmdd.jar bench/idle-scale.sh ...   another build
#   BENCH_DAEMON_OPTS="-Xmx8g" bench/idle-scale.sh 400000      more heap than the launcher's 4 GiB cap
#
# The largest count: the file limit (raised here to fs.nr_open where this process may: root with
# CAP_SYS_RESOURCE; the daemon needs one descriptor per connection), then the handshake rate (N full
# handshakes take N / rate seconds on these CPUs, shared with the load generator) and memory. The load
# generator keeps only the sockets (tlsload --drop-tls), spreads over several loopback source addresses past
# the ephemeral port range (--spread), and runs as several processes past its own file limit.
# shellcheck source=bench/idle-lib.sh
. "$(dirname "$0")/idle-lib.sh"
window=${IDLE_WINDOW:-30}
counts=("${@:-10000}")
[ $# -eq 0 ] && counts=(10000 max)

echo "idle-scale: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo); $(uname -sr);" \
  "JDK $(java -version 2>&1 | head -1); build $IDLE_BUILD; network namespace: ${IDLE_NETNS:-shared};" \
  "file limit $(ulimit -n) (hard $(ulimit -Hn), fs.nr_open $(cat /proc/sys/fs/nr_open)," \
  "fs.file-max $(cat /proc/sys/fs/file-max)); ports $(tr '\t' '-' < /proc/sys/net/ipv4/ip_local_port_range);" \
  "$(date -u +%FT%TZ); load average $(loadavg)"
echo "daemon JVM flags: $IDLE_FLAGS ${BENCH_DAEMON_OPTS:-}"
echo
echo "| N asked | held (daemon / client) | opening | RSS before → held | RSS per connection | TCP sockets Δ | socket buffers Δ | slab Δ per connection (both ends) | CPU idle, 0 held | CPU idle, N held | sweep thread, 0 → N held | sweep per connection per pass | load average |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for n in "${counts[@]}"; do
  if [ "$n" = max ]; then
    # the daemon's own descriptors (jars, logs, listeners, epoll) besides the connections: counted below
    n=$(( $(ulimit -n) - 200 ))
  fi
  idle_start_daemon $(( n + 1000 ))
  own_fds=$(fds "$idle_daemon")
  if [ $(( n + own_fds + 16 )) -gt "$(ulimit -n)" ]; then
    n=$(( $(ulimit -n) - own_fds - 16 ))
    echo "idle-scale: the file limit $(ulimit -n) allows $n connections (the daemon has $own_fds other descriptors)" >&2
  fi
  idle_warm_up 3000
  sleep 2
  c0=$(cpu_ticks "$idle_daemon"); d0=$(thread_ticks "$idle_daemon" deadlines)
  sleep "$window"
  c1=$(cpu_ticks "$idle_daemon"); d1=$(thread_ticks "$idle_daemon" deadlines)
  rss0=$(rss_kib "$idle_daemon"); read -r tcp0 mem0 < <(sockstat); slab0=$(slab_bytes)
  # the hold outlasts the opening and the window; released (the load generators killed) right after
  opening=$(idle_hold "$n" $(( n / 20 + window + 300 )) --drop-tls)
  rss1=$(rss_kib "$idle_daemon"); read -r tcp1 mem1 < <(sockstat); slab1=$(slab_bytes)
  held_c=$(idle_held_client); held_d=$(idle_open_connections)
  c2=$(cpu_ticks "$idle_daemon"); d2=$(thread_ticks "$idle_daemon" deadlines)
  sleep "$window"
  c3=$(cpu_ticks "$idle_daemon"); d3=$(thread_ticks "$idle_daemon" deadlines)
  rss3=$(rss_kib "$idle_daemon"); held_end=$(idle_open_connections)
  la=$(loadavg)
  idle_release
  idle_stop_daemon
  python3 - "$n" "$held_d" "$held_c" "$opening" "$rss0" "$rss1" "$tcp0" "$tcp1" "$mem0" "$mem1" "$slab0" "$slab1" \
    "$c0" "$c1" "$d0" "$d1" "$c2" "$c3" "$d2" "$d3" "$window" "$PAGE" "$CLK_TCK" "$la" "$rss3" "$held_end" <<'EOF'
import sys
a = sys.argv[1:]
n, held, held_c = int(a[0]), int(a[1] or 0), int(a[2])
opening, rss0, rss1 = float(a[3]), int(a[4]), int(a[5])
tcp0, tcp1, mem0, mem1, slab0, slab1 = map(int, a[6:12])
c0, c1, d0, d1, c2, c3, d2, d3 = map(int, a[12:20])
window, page, tck, la, rss3, held_end = int(a[20]), int(a[21]), int(a[22]), a[23], int(a[24]), a[25]
h = max(held, 1)
ms = lambda t: t * 1000 / tck / window  # ms of CPU per second of wall time
sweep_ns = (d3 - d2 - (d1 - d0)) * 1e9 / tck / (window * 10) / h  # 10 passes a second
print(f"| {n} | {held} / {held_c} | {opening:.0f} s ({held_c / opening:.0f}/s) | {rss0 / 1024:.0f} → {rss1 / 1024:.0f} MiB "
      f"| **{(rss1 - rss0) / h:.1f} KiB** (after {window} s: {(rss3 - rss0) / h:.1f}) | {tcp1 - tcp0} "
      f"| {(mem1 - mem0) * page / h:.0f} B/conn | {(slab1 - slab0) / h / 1024:.1f} KiB "
      f"| {ms(c1 - c0):.1f} ms/s | {ms(c3 - c2):.1f} ms/s | {ms(d1 - d0):.2f} → {ms(d3 - d2):.2f} ms/s "
      f"| {sweep_ns:.0f} ns | {la} (still open after: {held_end}) |")
EOF
done
echo
echo "RSS per connection: the daemon's VmRSS while held minus just before opening, over the daemon's own count;"
echo "TCP sockets Δ and socket buffers Δ (pages × $PAGE B) from /proc/net/sockstat, both ends on loopback;"
echo "slab Δ: TCP, sock_inode_cache, filp, dentry, eventpoll and skbuff caches of /proc/slabinfo (whole machine,"
echo "both ends); CPU: utime+stime over ${window} s (/proc/PID/stat; the sweep thread: /proc/PID/task/*/comm = deadlines),"
echo "tick $((1000 / CLK_TCK)) ms. load average after: $(loadavg)"
# What the slab figure should come to without the machine's other work: the kernel objects of one socket.
awk '{size[$1] = $4} END {
  srv = size["TCPv6"] + size["sock_inode_cache"] + size["filp"] + size["dentry"] + size["eventpoll_epi"]
  cli = size["TCP"] + size["sock_inode_cache"] + size["filp"] + size["dentry"]
  printf "kernel objects of one socket (/proc/slabinfo object sizes): daemon end %d B (TCPv6 %d, inode %d, file %d, dentry %d, epoll %d), load generator end %d B\n", srv, size["TCPv6"], size["sock_inode_cache"], size["filp"], size["dentry"], size["eventpoll_epi"], cli
}' /proc/slabinfo
