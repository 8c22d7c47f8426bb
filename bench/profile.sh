#!/usr/bin/env bash
# Where the daemon's CPU per connection goes, next to the bare JSSE server's: both run under JFR (the
# profile settings) with the launcher's flags and the package's logging while bench/tlsload makes N
# connections at concurrency C; prints the top frames of each (jfr view hot-methods) and the CPU per
# connection from /proc. Bounded; asserts nothing.
#
#   bench/profile.sh [N] [C] [TLSLOAD-OPTIONS]   (default 3000 connections, c=8, full handshakes; e.g.
#   "--resume", or "-k 1000" for kept connections)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh
n=${1:-3000} c=${2:-8} resume=${3:-}
[ -f daemon/target/securecmdd.jar ] && [ -f bench/target/securecmd-bench.jar ] ||
  mvn -B -q -pl bench -am package -DskipTests -Dsecurecmd.aot.skip
work=$(mktemp -d /tmp/securecmd-profile.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
gcc -O2 -Wall -Wextra -Werror -o "$work/tlsload" bench/tlsload.c -lssl -lcrypto -lpthread
scripts/tutorial-pki.sh "$work"
flags=$(sed -n 's/^ *\(-XX:+UseSerialGC.*\) \\$/\1/p' packaging/src/deb/bin/securecmdd)
flags="$flags --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=$PWD/etc/logback.xml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scripts/throwaway-config.sh securecmd "$port" BENCH_SECRET "max_connections_per_identity = 20000
max_handshakes_per_address = 20000" > "$work/securecmd.toml"
load() { "$work/tlsload" --port "$port" --ca "$work/ca.crt" --cert "$work/client.crt" --key "$work/client.key" \
  --expect BENCH_SECRET -c "$c" "$@"; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
for target in securecmd jsse; do
  if [ $target = securecmd ]; then
    cmd=(-jar "$PWD/daemon/target/securecmdd.jar" --config "$work/securecmd.toml")
  else
    cmd=(-cp "$PWD/bench/target/securecmd-bench.jar" org.securecmd.bench.JsseServer "$port" "$work/server.crt"
      "$work/server.key" "$work/ca.crt" BENCH_SECRET)
  fi
  # shellcheck disable=SC2086 # a list of flags
  (cd "$work" && exec java $flags "${cmd[@]}") > "$work/$target.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  load -n "$n" $resume > /dev/null # warm-up
  jcmd "$pid" JFR.start name=p settings=profile filename="$work/$target.jfr" > /dev/null
  t0=$(ticks)
  echo "$target: $(load -n "$n" $resume)"
  echo "$target: server CPU $(( ($(ticks) - t0) * 1000 / $(getconf CLK_TCK) )) ms for $n connections"
  jcmd "$pid" JFR.stop name=p > /dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  jfr view --width 160 hot-methods "$work/$target.jfr" | head -30
  [ -n "${BENCH_PROFILE_KEEP:-}" ] && cp "$work/$target.jfr" "$BENCH_PROFILE_KEEP-$target.jfr"
  jfr view --width 160 allocation-by-class "$work/$target.jfr" | head -20
done
