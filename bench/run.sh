#!/usr/bin/env bash
# securecmd benchmark: the daemon (jar, launcher's JVM flags) and stunnel4 + a plaintext backend, side by
# side, on 127.0.0.1 only. Bounded in count and time; stops by itself; asserts nothing (see bench/README.md).
#
#   bench/run.sh [--quick] [--only full,resumed,kept,idle,storm] [--idle N] [--hold S]
#   BENCH_DAEMON_OPTS="-Xms32m ..." bench/run.sh   (extra JVM flags for the daemon, to try launcher changes)
#
# Needs: a built tree (mvn -B -q -pl client,daemon -am package -DskipTests), openssl, python3, stunnel4.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh

scale=full; extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) scale=quick ;;
    --only|--idle|--hold|--storm-attempts) extra+=("$1" "$2"); shift ;;
    *) echo "usage: bench/run.sh [--quick] [--only LIST] [--idle N] [--hold S] [--storm-attempts N]" >&2; exit 2 ;;
  esac
  shift
done

for tool in openssl python3 stunnel4; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install stunnel4 openssl python3)" >&2; exit 2; }
done
if [ ! -f daemon/target/securecmdd.jar ] || [ ! -f client/target/securecmd-client.jar ]; then
  echo "bench: building the jars" >&2
  mvn -B -q -pl client,daemon -am package -DskipTests -Dsecurecmd.aot.skip
fi

# Idle connections need file descriptors: as many as the hard limit allows (stunnel uses two per connection).
ulimit -n "$(ulimit -Hn)"
fd_limit=$(ulimit -n)

work=$(mktemp -d /tmp/securecmd-bench.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# PKI: made fresh per run in the temporary directory, never stored in the repository.
scripts/tutorial-pki.sh "$work"
(cd "$work" && cat server.crt server.key > stunnel-server.pem && chmod 600 stunnel-server.pem)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Bounded wait until a port accepts TCP connections (a readiness poll, 20 s at most).
await_port() {
  local i
  for ((i = 0; i < 200; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on $1 after 20 s; see $2" >&2; cat "$2" >&2; exit 1
}

SECRET=BENCH_SECRET_0123456789
# The packaged launcher's JVM flags (packaging/src/deb/bin/securecmdd), so the numbers are the package's.
jvm_flags=$(sed -n 's/^ *\(-XX:+UseSerialGC.*\) \\$/\1/p' packaging/src/deb/bin/securecmdd)
[ -n "$jvm_flags" ] || { echo "bench: cannot read the JVM flags from packaging/src/deb/bin/securecmdd" >&2; exit 1; }
jvm_flags="$jvm_flags ${BENCH_DAEMON_OPTS:-}"
start_daemon() { # name port max_connections
  scripts/throwaway-config.sh "$1" "$2" "$SECRET" "handshake_timeout = \"10s\"
idle_timeout = \"5m\"
max_connections = $3
max_requests_per_connection = 100000" > "$work/$1.toml"
  # shellcheck disable=SC2086 # a list of flags
  java $jvm_flags --enable-native-access=ALL-UNNAMED -jar daemon/target/securecmdd.jar --config "$work/$1.toml" \
    > "$work/$1.log" 2>&1 &
  pids+=($!)
  await_port "$2" "$work/$1.log"
}

port_d=$(free_port); port_s=$(free_port); port_b=$(free_port); port_cap=$(free_port)
start_daemon securecmd "$port_d" 20000
pid_d=${pids[-1]}
start_daemon securecmd-cap "$port_cap" 128
pid_cap=${pids[-1]}

python3 bench/plain_backend.py "$port_b" "$SECRET" > "$work/backend.log" 2>&1 &
pids+=($!); pid_b=$!
await_port "$port_b" "$work/backend.log"
cat > "$work/stunnel.conf" <<EOF
foreground = yes
pid =
output = $work/stunnel.log
[securecmd]
accept = 127.0.0.1:$port_s
connect = 127.0.0.1:$port_b
cert = $work/stunnel-server.pem
CAfile = $work/ca.crt
verifyChain = yes
requireCert = yes
sslVersionMin = TLSv1.3
EOF
stunnel4 "$work/stunnel.conf" > "$work/stunnel.out" 2>&1 &
pids+=($!); pid_st=$!
await_port "$port_s" "$work/stunnel.out"

echo "bench: daemon JVM flags: $jvm_flags" >&2
echo "bench: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg); fd limit $fd_limit;" \
  "JDK $(java -version 2>&1 | head -1); $(stunnel4 -version 2>&1 | grep -m1 '^stunnel')" >&2
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" -cp client/target/securecmd-client.jar bench/src/org/securecmd/bench/*.java

java -Xmx3g -cp "client/target/securecmd-client.jar:$work/classes" org.securecmd.bench.LoadGen \
  --ca "$work/ca.crt" --cert "$work/client.crt" --key "$work/client.key" --secret "$SECRET" \
  --target "securecmd=127.0.0.1:$port_d:$pid_d:jvm" --target "stunnel=127.0.0.1:$port_s:$pid_st,$pid_b" \
  --storm-target "securecmd-cap128=127.0.0.1:$port_cap:$pid_cap" \
  --idle-cap "stunnel=$(( (fd_limit - 1000) / 2 ))" --clk-tck "$(getconf CLK_TCK)" --scale "$scale" "${extra[@]}"

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on this machine share the CPUs;"
echo "the load generator runs on the same $(nproc) CPUs as the servers)"
echo "daemon: $(grep -c 'result=' "$work/securecmd.log" || true) audit lines; stunnel: $(grep -c 'Connection closed' "$work/stunnel.log" || true) connections logged"
