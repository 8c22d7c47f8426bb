#!/usr/bin/env bash
# Cold start, measured with the native client (no JVM on the client side): the time from a device's
# connection to a socket-activated daemon (systemd-socket-activate, which starts the JVM on the first
# connection as systemd does) to its first reply, without and with an AOT cache (trained here as the
# package's build does: the launcher's flags, some handshakes, SIGTERM), median of R runs; broken down into
# JVM start (java -version), JVM + logging + config + TLS context (--check-config), ready (the daemon's
# "serving on" log line, dated as it arrives), and the first handshake + reply after ready. The daemon logs
# with the packaged etc/logback.xml, as installed. Bounded; asserts nothing.
#
#   bench/cold-start.sh [RUNS]    (default 5)
#   BENCH_BASE_JAR=/tmp/old/securecmdd.jar bench/cold-start.sh [RUNS]   an A/B: that build as "before", the
#   two builds interleaved run by run (each with its own AOT cache), so both see the same machine
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh
runs=${1:-5}
jar=${BENCH_JAR:-$PWD/daemon/target/securecmdd.jar}   # BENCH_JAR: another build instead of this one
[ -f "$jar" ] || mvn -B -q -pl daemon -am package -DskipTests -Dsecurecmd.aot.skip
builds=(this)
declare -A jars=([this]="$jar")
if [ -n "${BENCH_BASE_JAR:-}" ]; then builds+=(before); jars[before]=$BENCH_BASE_JAR; fi
command -v systemd-socket-activate >/dev/null || { echo "cold-start: systemd-socket-activate (package systemd) needed" >&2; exit 2; }
work=$(mktemp -d /tmp/securecmd-cold.XXXXXX)
act=
trap '[ -n "$act" ] && kill "$act" 2>/dev/null; rm -rf "$work"' EXIT
gcc -O2 -Wall -Wextra -Werror -o "$work/tlsload" bench/tlsload.c -lssl -lcrypto -lpthread
scripts/tutorial-pki.sh "$work"
flags=$(sed -n 's/^ *\(-XX:+UseSerialGC.*\) \\$/\1/p' packaging/src/deb/bin/securecmdd)
flags="$flags -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED"
# The package's logging as shipped (an edited logback.xml is read by logback's XML configurator, which is
# slower: PackagedLogging); the "serving on" line is dated as it arrives on the pipe (perl stamps each line).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scripts/throwaway-config.sh securecmd "$port" COLD > "$work/securecmd.toml"
jvm=(java $flags "-Dlogback.configurationFile=$PWD/etc/logback.xml")
daemon_args() { echo -jar "${jars[$1]}" --config "$work/securecmd.toml"; }
ms() { date +%s%3N; }
load() { "$work/tlsload" --port "$port" --ca "$work/ca.crt" --cert "$work/client.crt" --key "$work/client.key" \
  --expect COLD "$@"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
await_listen() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.05; done; }

# One socket-activated start of build $1 (JVM options after it): prints "first_reply_ms ready_ms second_ms"
# (ready: since the connection).
cold() {
  local build=$1; shift
  cd "$work"
  # shellcheck disable=SC2046 # daemon_args is a list of words without spaces
  systemd-socket-activate -l "127.0.0.1:$port" --fdname=main "${jvm[@]}" "$@" $(daemon_args "$build") \
    > >(perl -MTime::HiRes=time -ne '$| = 1; printf "%d %s", time * 1000, $_' > "$work/daemon.log") 2>&1 &
  act=$!
  cd - >/dev/null
  sleep 0.3 # systemd-socket-activate binds at once; a probe here would itself start the daemon
  local t0 first second ready
  t0=$(ms)
  first=$(load -n 1 --timeout 30 | field p50_ms)
  second=$(load -n 1 | field p50_ms)
  for _ in $(seq 100); do grep -q 'serving on' "$work/daemon.log" && break; sleep 0.05; done # perl may lag
  ready=$(grep -m1 'serving on' "$work/daemon.log" | cut -d' ' -f1)
  kill "$act"; wait "$act" 2>/dev/null || true; act=
  echo "$first $((ready - t0)) $second"
}

# Train a JDK AOT cache from a few hundred handshakes (same JVM flags as the measured runs: the JVM rejects
# a cache made with others), then SIGTERM; the JVM writes the cache as it exits. This is the build-time
# cache the package used to ship; the package now makes its archive at install time from a class list
# (packaging/src/deb/bin/make-startup-cache), which docs/performance.md compares with this one.
for b in "${builds[@]}"; do
  # shellcheck disable=SC2046
  (cd "$work" && exec "${jvm[@]}" -XX:AOTCacheOutput="$work/$b.aot" $(daemon_args "$b")) > "$work/train-$b.log" 2>&1 &
  train=$!
  await_listen
  load -c 4 -n 200 > /dev/null; load -c 4 -n 100 --resume > /dev/null
  kill "$train"; wait "$train" 2>/dev/null || true
  [ -s "$work/$b.aot" ] || { echo "cold-start: no AOT cache written; see below" >&2; cat "$work/train-$b.log" >&2; exit 1; }
done

echo "cold start, median of $runs runs (builds and modes interleaved); $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| build | AOT cache | JVM start (java -version) | --check-config | connection → ready | connection → first reply | next connection |"
echo "|---|---|---:|---:|---:|---:|---:|"
: > "$work/runs"
for _ in $(seq "$runs"); do   # run by run: every build and mode once, so each round shares the machine's state
  for b in "${builds[@]}"; do
    for mode in without with; do
      aot=(); [ $mode = with ] && aot=(-XX:AOTCache="$work/$b.aot")
      t=$(ms); java $flags "${aot[@]}" -version 2>/dev/null; jvm_ms=$(( $(ms) - t ))
      # shellcheck disable=SC2046
      t=$(ms); (cd "$work" && "${jvm[@]}" "${aot[@]}" $(daemon_args "$b") --check-config >/dev/null 2>&1)
      echo "$b $mode $jvm_ms $(( $(ms) - t )) $(cold "$b" "${aot[@]}")" >> "$work/runs"
    done
  done
done
# columns of runs: build mode jvm check first_reply ready second
col() { awk -v b="$1" -v m="$2" -v c="$3" '$1 == b && $2 == m {print $c}' "$work/runs" | median; }
for b in "${builds[@]}"; do
  for mode in without with; do
    echo "| $b | $mode | $(col "$b" $mode 3) ms | $(col "$b" $mode 4) ms | $(col "$b" $mode 6) ms |" \
      "$(col "$b" $mode 5) ms | $(col "$b" $mode 7) ms |"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
