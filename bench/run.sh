#!/usr/bin/env bash
# securecmd benchmark: the daemon (jar, the packaged launcher's JVM flags) side by side with a bare JSSE
# server (default JVM flags and the launcher's), stunnel4 in front of a C epoll backend, and
# `openssl s_server -Verify 1`, all on 127.0.0.1, driven by the native load generator bench/tlsload.c;
# the targets interleaved round by round, medians of three rounds. Bounded; asserts nothing (bench/README.md).
#
#   bench/run.sh [--quick] [--rounds N] [--only full8,full64,resumed8,kept,idle] [--targets LIST]
#                [--connections N] [--kept N] [--idle N] [--hold S] [--warmup N] [--warmup-max N]
#                [--jit-settled SHARE] [--keep-running]
#   bench/run.sh --java-client [--quick]   the JSSE client's view: the Java load generator (LoadGen)
#   BENCH_DAEMON_OPTS="-Xmn16m" bench/run.sh ...   extra JVM flags for the daemon, to try launcher changes
#   BENCH_BASE_JAR=/tmp/old/securecmdd.jar bench/run.sh ...   adds that build as "securecmd-base" (an A/B)
#
# Needs: JDK 25, Maven (builds the jars if missing), gcc + libssl-dev, openssl, stunnel4, python3
# (scripts/ci-packages-perf.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh

cmdline="bench/run.sh $*"
all_args=("$@")
harness=() java_client=0 quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --keep-running) harness+=("$1") ;;
    --java-client) java_client=1 ;;
    --rounds|--only|--targets|--connections|--kept|--idle|--hold|--warmup|--warmup-max|--jit-settled) harness+=("$1" "$2"); shift ;;
    *) sed -n '2,15p' "$0" >&2; exit 2 ;;
  esac
  shift
done
[ "$quick" = 1 ] && harness=(--rounds 1 --connections 300 --kept 300 --idle 2000 --hold 2 --warmup 300 --warmup-max 1500 "${harness[@]}")

for tool in gcc openssl python3 stunnel4; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install gcc libssl-dev openssl python3 stunnel4)" >&2; exit 2; }
done
if [ ! -f daemon/target/securecmdd.jar ] || [ ! -f bench/target/securecmd-bench.jar ]; then
  echo "bench: building the jars" >&2
  mvn -B -q -pl bench -am package -DskipTests -Dsecurecmd.aot.skip
fi

# Its own network namespace (only loopback) where this process may (root, CAP_SYS_ADMIN): the machine's other
# work then does not move the kernel's count of TCP sockets that the idle scenario reads (/proc/net/sockstat
# is per namespace). After the build, which may need the network.
if [ -z "${BENCH_NETNS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  exec env BENCH_NETNS=own unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$PWD/bench/run.sh" "${all_args[@]}"
fi

# Idle connections need file descriptors: the hard limit raised to fs.nr_open where this process may (root
# with CAP_SYS_RESOURCE), the soft limit to the hard one. stunnel uses two per connection in one process: it
# is left out of the idle scenario when they do not fit (the harness says so).
ulimit -Hn "$(cat /proc/sys/fs/nr_open)" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/securecmd-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -Wextra -Werror -o "$work/tlsload" bench/tlsload.c -lssl -lcrypto -lpthread
gcc -O2 -Wall -Wextra -Werror -o "$work/plain_backend" bench/plain_backend.c
# PKI: made fresh per run in the temporary directory, never stored in the repository.
scripts/tutorial-pki.sh "$work"

# The packaged launcher's JVM flags (packaging/src/deb/bin/securecmdd), so the numbers are the package's.
jvm_flags=$(sed -n 's/^ *\(-XX:+UseSerialGC.*\) \\$/\1/p' packaging/src/deb/bin/securecmdd)
[ -n "$jvm_flags" ] || { echo "bench: cannot read the JVM flags from packaging/src/deb/bin/securecmdd" >&2; exit 1; }
jvm_flags="$jvm_flags -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED"
# The package's logging too (etc/logback.xml is /etc/securecmd/logback.xml): audit lines to stdout, as to the journal.
logback="-Dlogback.configurationFile=$PWD/etc/logback.xml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scripts/throwaway-config.sh securecmd "$port" BENCH_SECRET_0123456789 "handshake_timeout = \"10s\"
idle_timeout = \"5m\"
max_connections = 20000
max_requests_per_connection = 1000000
# One client certificate from one address opens thousands of connections here: lift the per-identity and
# per-address caps (defaults 16 and 64) to the connection cap, so they are not what is measured.
max_connections_per_identity = 20000
max_handshakes_per_address = 20000" > "$work/securecmd.toml"

echo "bench: $(nproc) CPUs ($(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)); $(uname -sr);" \
  "JDK $(java -version 2>&1 | head -1); $(stunnel4 -version 2>&1 | grep -m1 '^stunnel'); $(openssl version);" \
  "$(gcc --version | head -1); fd limit $(ulimit -n)" >&2
echo "bench: command: $cmdline" >&2
echo "bench: daemon and jsse-launcher JVM flags: $jvm_flags ${BENCH_DAEMON_OPTS:-}" >&2

cp="$PWD/bench/target/securecmd-bench.jar:$PWD/client/target/securecmd-client.jar"
args=(--work "$work" --tlsload "$work/tlsload" --daemon-port "$port" --launcher-flags "$jvm_flags"
  --daemon "java $jvm_flags $logback ${BENCH_DAEMON_OPTS:-} -jar $PWD/daemon/target/securecmdd.jar --config $work/securecmd.toml"
  --jsse "java -cp $cp org.securecmd.bench.JsseServer")
if [ -n "${BENCH_BASE_JAR:-}" ]; then
  base_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sed -e "s/127.0.0.1:$port/127.0.0.1:$base_port/" -e 's/securecmd-admin.sock/base-admin.sock/' \
    -e 's/securecmd-state/base-state/' "$work/securecmd.toml" > "$work/base.toml"
  args+=(--daemon-base-port "$base_port"
    --daemon-base "java $jvm_flags $logback ${BENCH_DAEMON_OPTS:-} -jar $BENCH_BASE_JAR --config $work/base.toml")
fi
if [ "$java_client" = 1 ]; then
  scale=full; [ "$quick" = 1 ] && scale=quick
  python3 bench/harness.py "${args[@]}" --targets securecmd,jsse-launcher,stunnel \
    --java-client "java -Xmx3g -cp $cp org.securecmd.bench.LoadGen" --java-client-args "--scale $scale --only full,resumed,kept"
else
  python3 bench/harness.py "${args[@]}" "${harness[@]}"
fi
