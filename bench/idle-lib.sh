# shellcheck shell=bash
# Sourced by bench/idle-scale.sh and bench/idle-histogram.sh (not run alone): one daemon (the jar, the
# packaged launcher's JVM flags and logging), the tutorial PKI and a throwaway config in a temporary
# directory, the native load generator, and the probes both scripts read (RSS, the kernel's socket memory,
# CPU by thread, the daemon's own count of open connections). Everything it starts is stopped on exit.
set -euo pipefail
idle_self=$(realpath "$0")   # the script that sources this, for the re-run in its own network namespace
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh

IDLE_JAR=${BENCH_JAR:-$PWD/daemon/target/securecmdd.jar}   # BENCH_JAR: another build instead of this one
[ -f "$IDLE_JAR" ] || mvn -B -q -pl daemon -am package -DskipTests -Dsecurecmd.aot.skip
# Which build: the jar given, or this tree's last commit that changed the daemon's code.
IDLE_BUILD=${BENCH_JAR:-"$(git log -1 --format=%h -- daemon/src/main client/src/main 2>/dev/null) (this tree)"}

# Its own network namespace (only loopback) where this process may (root, CAP_SYS_ADMIN): the machine's
# other work then does not move the kernel's count of TCP sockets (/proc/net/sockstat is per namespace).
if [ -z "${IDLE_NETNS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  exec env IDLE_NETNS=own unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$idle_self" "$@"
fi
PAGE=$(getconf PAGESIZE)
CLK_TCK=$(getconf CLK_TCK)

# File descriptors: the daemon holds one per connection, and so does the load generator. Raise the hard
# limit to fs.nr_open where this process may (root with CAP_SYS_RESOURCE), then the soft limit to the hard.
ulimit -Hn "$(cat /proc/sys/fs/nr_open)" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

idle_work=$(mktemp -d /tmp/securecmd-idle.XXXXXX)
idle_daemon= idle_loads=()
idle_cleanup() {
  for p in "${idle_loads[@]}" $idle_daemon; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$idle_work"
}
trap idle_cleanup EXIT
gcc -O2 -Wall -Wextra -Werror -o "$idle_work/tlsload" bench/tlsload.c -lssl -lcrypto -lpthread
scripts/tutorial-pki.sh "$idle_work" >/dev/null
IDLE_FLAGS="$(sed -n 's/^ *\(-XX:+UseSerialGC.*\) \\$/\1/p' packaging/src/deb/bin/securecmdd) -XX:+ExitOnOutOfMemoryError \
--enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=$PWD/etc/logback.xml"
IDLE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# idle_start_daemon MAX_CONNECTIONS [JVM options]: a fresh daemon in the background ($idle_daemon), ready.
# One device certificate from one address opens every connection here: the per-identity and per-address
# caps are lifted to the connection cap, so they are not what is measured.
idle_start_daemon() {
  local max=$1; shift
  scripts/throwaway-config.sh securecmd "$IDLE_PORT" IDLE_OK "handshake_timeout = \"10s\"
idle_timeout = \"1h\"
max_connections = $max
max_connections_per_identity = $max
max_handshakes_per_address = $max" > "$idle_work/securecmd.toml"
  rm -rf "$idle_work/securecmd-state"
  # shellcheck disable=SC2086 # IDLE_FLAGS and BENCH_DAEMON_OPTS are lists of options
  (cd "$idle_work" && exec java $IDLE_FLAGS ${BENCH_DAEMON_OPTS:-} "$@" -jar "$IDLE_JAR" \
    --config securecmd.toml) > "$idle_work/daemon.log" 2>&1 &
  idle_daemon=$!
  for _ in $(seq 300); do
    idle_load -n 1 --timeout 2 2>/dev/null | grep -q 'errors=0' && return
    kill -0 "$idle_daemon" 2>/dev/null || { cat "$idle_work/daemon.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "idle: the daemon gives no reply after 30 s; its log:" >&2; cat "$idle_work/daemon.log" >&2; exit 1
}

idle_stop_daemon() {
  kill "$idle_daemon" 2>/dev/null || true
  wait "$idle_daemon" 2>/dev/null || true
  idle_daemon=
}

idle_load() {
  "$idle_work/tlsload" --port "$IDLE_PORT" --ca "$idle_work/ca.crt" --cert "$idle_work/client.crt" \
    --key "$idle_work/client.key" --expect IDLE_OK "$@"
}

# Not measured: the JIT compiles the handshake path first, as in bench/run.sh's warm-up.
idle_warm_up() {
  idle_load -c 8 -n "${1:-3000}" >/dev/null
  idle_load -c 8 -n "$(( ${1:-3000} / 3 ))" --resume >/dev/null
}

# idle_hold N HOLD_S [tlsload options]: opens N connections (handshake + one request each, 8 openers per
# load generator), as many load generators as their own file limit needs, and returns once all are held
# (or one has failed); they hold until HOLD_S passes or idle_release. Past half the ephemeral ports of one
# source address towards the daemon's address and port (28,232 by default), connections come from several
# loopback addresses (tlsload --spread). Prints the seconds the opening took.
idle_hold() {
  local n=$1 hold=$2; shift 2
  local per=$(( $(ulimit -n) - 64 )) ports spread=()
  read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
  # half the range per source address: connect's port choice (hashed, even ports first) and the warm-up's
  # TIME_WAIT sockets ran out of ports ("Cannot assign requested address") at 18,231 of 28,232
  ports=$(( (hi - lo) / 2 ))
  [ "$n" -gt "$ports" ] && spread=(--spread $(( (n + ports - 1) / ports )))
  local procs=$(( (n + per - 1) / per )) t0 i
  t0=$(date +%s.%N)
  idle_loads=()
  for i in $(seq "$procs"); do
    local part=$(( n / procs + (i <= n % procs ? 1 : 0) ))
    idle_load -c 8 --idle "$part" --hold "$hold" --timeout 30 "${spread[@]}" "$@" \
      > "$idle_work/hold.$i.out" 2> "$idle_work/hold.$i.err" &
    idle_loads+=($!)
  done
  for i in $(seq "$procs"); do
    until grep -q '^held=' "$idle_work/hold.$i.out" 2>/dev/null; do
      kill -0 "${idle_loads[$((i - 1))]}" 2>/dev/null || { cat "$idle_work/hold.$i.err" >&2; break; }
      sleep 0.2
    done
  done
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)"
  cat "$idle_work"/hold.*.err >&2   # the load generators' first errors, if any
}

# Connections held by the load generators, by their own count.
idle_held_client() { cat "$idle_work"/hold.*.out | sed -n 's/^held=//p' | awk '{s += $1} END {print s + 0}'; }

idle_release() {
  for p in "${idle_loads[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  idle_loads=()
  rm -f "$idle_work"/hold.*
}

# The daemon's own count ("connections: N open" of securecmdctl status), so the figure is not the load
# generator's word.
idle_open_connections() {
  (cd "$idle_work" && java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m --enable-native-access=ALL-UNNAMED \
    -cp "$IDLE_JAR" org.securecmd.daemon.ctl.Main --socket securecmd-admin.sock status) \
    | sed -n 's/^connections: *\([0-9]*\) open.*/\1/p'
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# TCP sockets in use (a JVM's are IPv6 ones with IPv4-mapped addresses: sockstat6) and the pages of all TCP
# sockets' buffers, in this network namespace (both ends on loopback).
sockstat() {
  awk '$1 == "TCP:" {n += $3; m = $11} $1 == "TCP6:" {n += $3} END {print n, m}' /proc/net/sockstat /proc/net/sockstat6
}
# The kernel objects behind an open socket (slab caches, bytes, whole machine): the socket itself, its
# inode, file, dentry and epoll entries. Other work on the machine moves these too: a rough figure.
slab_bytes() {
  awk '$1 ~ /^(TCP|TCPv6|sock_inode_cache|filp|dentry|eventpoll_epi|eventpoll_pwq|skbuff_head_cache)$/ \
    {s += $2 * $4} END {print s}' /proc/slabinfo
}
# utime+stime ticks: of the whole process, and of its threads named $2 (e.g. the deadline sweep's timer).
cpu_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
thread_ticks() {
  local t s=0
  for t in /proc/"$1"/task/*; do
    [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ] && s=$(( s + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "$t/stat") ))
  done
  echo "$s"
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
