#!/usr/bin/env bash
# securecmd through HAProxy: full and resumed handshakes direct to one daemon, through HAProxy to one
# daemon, and through HAProxy to two daemons, on 127.0.0.1 only. Prints the table of bench/run.sh with
# each row's ratio to the direct figure (the balancer's overhead). Bounded; asserts nothing.
#
#   bench/fleet.sh [--quick] [--concurrency 1,8,64]
#
# HAProxy runs the shipped etc/haproxy/securecmd.cfg (placeholders filled). Devices connect from 64 loopback
# addresses (127.0.0.2...), one per worker, so "balance source" spreads them and keeps each on one daemon.
# On a machine with few cores the second daemon adds no CPU: both daemons, HAProxy and the load generator
# share the same cores, so "2 daemons" shows the cost of one more hop's bookkeeping, not capacity.
# Needs: a built tree (mvn -B -q -pl bench -am package -DskipTests), openssl, python3, haproxy.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh

scale=full; concurrency=1,8,64,512
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) scale=quick ;;
    --concurrency) concurrency=$2; shift ;;
    *) echo "usage: bench/fleet.sh [--quick] [--concurrency LIST]" >&2; exit 2 ;;
  esac
  shift
done
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -x "$haproxy" ] || { echo "bench: haproxy not found (apt-get install haproxy)" >&2; exit 2; }
for tool in openssl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 2; }
done
if [ ! -f daemon/target/securecmdd.jar ] || [ ! -f bench/target/securecmd-bench.jar ]; then
  echo "bench: building the jars" >&2
  mvn -B -q -pl bench -am package -DskipTests -Dsecurecmd.aot.skip
fi
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/securecmd-fleet.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

scripts/tutorial-pki.sh "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
await_port() { # bounded readiness poll, 20 s at most
  local i
  for ((i = 0; i < 200; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on $1 after 20 s; see $2" >&2; cat "$2" >&2; exit 1
}
# The daemons behind HAProxy refuse a bare TCP probe from 127.0.0.1 (no PROXY header): wait for their log line.
await_log() { # bounded, 30 s at most
  local i
  for ((i = 0; i < 300; i++)); do
    grep -q 'serving on' "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: no 'serving on' in $1 after 30 s" >&2; cat "$1" >&2; exit 1
}
SECRET=BENCH_SECRET_0123456789
jvm_flags=$(sed -n 's/^ *\(-XX:+UseSerialGC.*\) \\$/\1/p' packaging/src/deb/bin/securecmdd)
[ -n "$jvm_flags" ] || { echo "bench: cannot read the JVM flags from packaging/src/deb/bin/securecmdd" >&2; exit 1; }
start_daemon() { # name port extra-server-lines
  scripts/throwaway-config.sh "$1" "$2" "$SECRET" "max_connections = 20000
max_requests_per_connection = 100000
$3" > "$work/$1.toml"
  # shellcheck disable=SC2086 # a list of flags
  java $jvm_flags --enable-native-access=ALL-UNNAMED -jar daemon/target/securecmdd.jar --config "$work/$1.toml" \
    > "$work/$1.log" 2>&1 &
  pids+=($!)
  await_log "$work/$1.log"
}
start_haproxy() { # name frontend-port daemon-port [daemon-port]
  sed -e "s/@FRONTEND@/127.0.0.1:$2/" -e "s/@DAEMON_1@/127.0.0.1:$3/" etc/haproxy/securecmd.cfg > "$work/$1.cfg"
  if [ -n "${4:-}" ]; then sed -i "s/@DAEMON_2@/127.0.0.1:$4/" "$work/$1.cfg"; else sed -i '/@DAEMON_2@/d' "$work/$1.cfg"; fi
  "$haproxy" -db -f "$work/$1.cfg" > "$work/$1.log" 2>&1 &
  pids+=($!)
  await_port "$2" "$work/$1.log"
}

port_direct=$(free_port); port_1=$(free_port); port_2=$(free_port); port_h1=$(free_port); port_h2=$(free_port)
start_daemon direct "$port_direct" ""
pid_direct=${pids[-1]}
start_daemon daemon1 "$port_1" 'proxy_protocol = ["127.0.0.1/32"]'
pid_1=${pids[-1]}
start_daemon daemon2 "$port_2" 'proxy_protocol = ["127.0.0.1/32"]'
pid_2=${pids[-1]}
start_haproxy haproxy1 "$port_h1" "$port_1"
pid_h1=${pids[-1]}
start_haproxy haproxy2 "$port_h2" "$port_1" "$port_2"
pid_h2=${pids[-1]}

echo "bench: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg); JDK $(java -version 2>&1 | head -1);" \
  "$("$haproxy" -v | head -1)" >&2
echo "bench: command: bench/fleet.sh $* (scale $scale, concurrency $concurrency)" >&2

# Targets: through HAProxy to 1 daemon, to 2 daemons, then direct (the reference of the ratio column).
# CPU and RSS of a HAProxy row are HAProxy's plus its daemons'.
java -Xmx2g -cp "client/target/securecmd-client.jar:bench/target/securecmd-bench.jar" org.securecmd.bench.LoadGen \
  --ca "$work/ca.crt" --cert "$work/client.crt" --key "$work/client.key" --secret "$SECRET" \
  --target "haproxy-1=127.0.0.1:$port_h1:$pid_h1,$pid_1" \
  --target "haproxy-2=127.0.0.1:$port_h2:$pid_h2,$pid_1,$pid_2" \
  --target "direct=127.0.0.1:$port_direct:$pid_direct:jvm" \
  --only full,resumed --concurrency "$concurrency" --sources 64 --clk-tck "$(getconf CLK_TCK)" --scale "$scale"

echo
echo "haproxy-1: HAProxy -> daemon1; haproxy-2: HAProxy -> daemon1 + daemon2 (balance source); direct: one daemon."
echo "ratio < 1 is the balancer's cost. On $(nproc) CPUs the second daemon cannot add CPU: HAProxy, both daemons"
echo "and the load generator share them, so haproxy-2 is not expected to beat haproxy-1 here."
echo "requests served: daemon1 $(grep -c 'verb=GET_SECRET' "$work/daemon1.log" || true)," \
  "daemon2 $(grep -c 'verb=GET_SECRET' "$work/daemon2.log" || true) (daemon1 also served all of haproxy-1)"
echo "PROXY headers refused (health checks are not): daemon1/daemon2:" \
  "$(grep -c 'proxy-refused' "$work/daemon1.log" || true)/$(grep -c 'proxy-refused' "$work/daemon2.log" || true)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
