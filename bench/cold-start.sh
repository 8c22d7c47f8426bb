#!/usr/bin/env bash
# Cold start, measured with the native client (no JVM on the client side): the time from a device's
# connection to a socket-activated daemon (systemd-socket-activate, which starts the JVM on the first
# connection as systemd does) to its first reply, median of R runs, for three startup archives:
#   none       no archive of the daemon's classes (what a failed make-startup-cache leaves)
#   classlist  the package's way: a training run's class list (-XX:DumpLoadedClassList), made into an archive
#              with -Xshare:dump -XX:+AOTClassLinking (loaded and linked classes, no profiles)
#   aot        JDK 25's AOT cache (-XX:AOTCacheOutput, JEP 483 + 515: loaded and linked classes and the
#              training run's method profiles)
# Both archives come from the same kind of training run: socket-activated like the measured runs (so the
# FFM calls that adopt systemd's socket are in it), serving a few hundred mutual-TLS devices, full and
# resumed handshakes, then SIGTERM.
#
# The breakdown, each in ms from the first connection (dated on this host's clock as the client's return
# less the client's own connect-to-reply figure):
#   outside:  JVM create (-Xlog:startuptime of `java -version`, alone), exec (systemd-socket-activate's
#             "Execing" line), first reply (the client), next connection (the client, warm)
#   inside:   the daemon's own "startup:" line (StartupPhases): main entered, config parsed, TLS context
#             ready, state store open, listener adopted, accepting, admin socket + metrics, READY=1; and its
#             "first connection through handshake and policy" line. Log lines are dated as they arrive
#             (perl stamps each line); a build without those lines ("before") shows only its ready ("serving
#             on") and the outside figures.
# The daemon logs with the packaged etc/logback.xml, as installed. Bounded; asserts nothing.
#
#   bench/cold-start.sh [RUNS]    (default 5)
#   BENCH_BASE_JAR=/tmp/old/securecmdd.jar bench/cold-start.sh [RUNS]   an A/B: that build as "before", the
#   two builds interleaved run by run (each with its own archives), so both see the same machine
#   BENCH_MODES="none aot"        only these archives
#   BENCH_ENGINE=0                no "engine" row
# The "engine" row is the floor under any JVM server of this shape: bench's JsseServer (the JDK's TLS engine,
# nothing of ours: no config, policy, state, logging), socket-activated the same way (systemd's socket as its
# standard input), with the same flags and the same kinds of archive from the same kind of training run: the
# JVM's start, a key and certificates read, an SSLContext, one mutual-TLS handshake and a reply in cold code.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh
runs=${1:-5}
jar=${BENCH_JAR:-$PWD/daemon/target/securecmdd.jar}   # BENCH_JAR: another build instead of this one
[ -f "$jar" ] || mvn -B -q -pl daemon -am package -DskipTests -Dsecurecmd.aot.skip
read -r -a modes <<<"${BENCH_MODES:-none classlist aot}"
builds=(this)
declare -A jars=([this]="$jar")
if [ -n "${BENCH_BASE_JAR:-}" ]; then builds+=(before); jars[before]=$BENCH_BASE_JAR; fi
engine_jar=$PWD/bench/target/securecmd-bench.jar
if [ "${BENCH_ENGINE:-1}" != 0 ]; then
  [ -f "$engine_jar" ] || mvn -B -q -pl bench -am package -DskipTests -Dsecurecmd.aot.skip
  builds+=(engine)
fi
command -v systemd-socket-activate >/dev/null || { echo "cold-start: systemd-socket-activate (package systemd) needed" >&2; exit 2; }
work=$(mktemp -d /tmp/securecmd-cold.XXXXXX)
act=
trap '[ -n "$act" ] && kill "$act" 2>/dev/null; rm -rf "$work"' EXIT
gcc -O2 -Wall -Wextra -Werror -o "$work/tlsload" bench/tlsload.c -lssl -lcrypto -lpthread
scripts/tutorial-pki.sh "$work" >/dev/null 2>&1
flags=$(sed -n 's/^ *\(-XX:+UseSerialGC.*\) \\$/\1/p' packaging/src/deb/bin/securecmdd)
flags="$flags -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED"
# The package's logging as shipped (an edited logback.xml is read by logback's XML configurator, which is
# slower: PackagedLogging).
# A free port below the kernel's ephemeral range (32768 and up): a load test beside this one may use up that
# range with its outgoing connections, and take the port systemd-socket-activate binds again for each run.
port=$(python3 -c '
import random, socket
for p in random.sample(range(20000, 32768), 50):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        s.close()')
scripts/throwaway-config.sh securecmd "$port" COLD > "$work/securecmd.toml"
jvm=(java $flags "-Dlogback.configurationFile=$PWD/etc/logback.xml")
daemon_args() {
  if [ "$1" = engine ]; then
    echo -cp "$engine_jar" org.securecmd.bench.JsseServer inherited "$work/server.crt" "$work/server.key" \
      "$work/ca.crt" COLD --layered
  else
    echo -jar "${jars[$1]}" --config "$work/securecmd.toml"
  fi
}

ms() { date +%s%3N; }
load() { "$work/tlsload" --port "$port" --ca "$work/ca.crt" --cert "$work/client.crt" --key "$work/client.key" \
  --expect COLD "$@"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "–"; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
archive_flags() { # archive_flags BUILD MODE: the JVM options that use that archive
  case $2 in
  none) echo -Xshare:auto ;;
  classlist) echo -XX:SharedArchiveFile="$work/$1.jsa" ;;
  aot) echo -XX:AOTCache="$work/$1.aot" ;;
  esac
}

# start BUILD LOG JVM-OPTIONS...: the daemon under systemd-socket-activate (nothing runs until a connection
# comes), its output dated line by line into LOG.
start() {
  local build=$1 log=$2; shift 2
  cd "$work"
  local wrap=() # the engine takes systemd's socket as its standard input (System.inheritedChannel), the daemon as fd 3
  [ "$build" != engine ] || wrap=(sh -c 'exec "$@" <&3 3<&-' sh)
  # shellcheck disable=SC2046 # daemon_args is a list of words without spaces
  systemd-socket-activate -l "127.0.0.1:$port" --fdname=main "${wrap[@]}" "${jvm[@]}" "$@" $(daemon_args "$build") \
    > >(perl -MTime::HiRes=time -ne '$| = 1; printf "%d %s", time * 1000, $_' > "$log") 2>&1 &
  act=$!
  cd - >/dev/null
  sleep 0.3 # systemd-socket-activate binds at once; a probe here would itself start the daemon
}
stop() { kill "$act"; wait "$act" 2>/dev/null || true; act=; }

# One socket-activated start of build $1 (JVM options after it). Prints, in ms since the connection:
# first_reply next exec main config tls state listener accepting admin ready handshake (– when unknown).
cold() {
  local build=$1; shift
  local log=$work/daemon.log
  start "$build" "$log" "$@"
  local t0 first next
  first=$(load -n 1 --timeout 30 | field p50_ms)
  # the connection's time on this clock: when the client returned, less what it measured (its own start
  # and exit, a few ms under load, are left out, as they are of the first reply)
  t0=$(( $(ms) - ${first%.*} ))
  next=$(load -n 1 | field p50_ms)
  for _ in $(seq 100); do [ "$build" != engine ] || break; grep -q 'startup: .*ready at\|serving on' "$log" && break; sleep 0.05; done # perl may lag
  sleep 0.2
  stop
  perl -e '
    my ($t0, $first, $next) = @ARGV[0..2]; my %at; my @p = qw(exec main config tls state listener accepting admin+metrics ready handshake);
    open(my $f, "<", $ARGV[3]) or die;
    while (<$f>) {
      my ($ts) = /^(\d+)/;
      $at{exec} //= $ts - $t0 if /Execing/;
      $at{ready} //= $ts - $t0 if /serving on/;   # a build without the startup line: when it logged ready
      if (/startup: (.*) \(ready at \d+ ms after main, main at (\d+) ms\)/) {
        my ($list, $main) = ($1, $2); my $t = $main - $t0; $at{main} = $t;
        for (split /, /, $list) { my ($n, $d) = /^(\S+) (\d+)$/; $t += $d; $at{$n} = $t; }
      }
      $at{handshake} = $at{main} + $1 if /first connection through handshake and policy at (\d+) ms after main/ && defined $at{main};
    }
    print join(" ", $first, $next, map { defined $at{$_} ? $at{$_} : "–" } @p), "\n";
  ' "$t0" "$first" "$next" "$log"
}

# Training, per build: one socket-activated run that serves a few hundred devices (full handshakes, then
# resumed ones) and ends with SIGTERM, recording both archives' inputs. The JVM rejects an archive made
# with other flags, so the training uses the measured runs' flags.
for b in "${builds[@]}"; do
  for m in "${modes[@]}"; do
    case $m in
    none) continue ;;
    classlist) rec=(-XX:DumpLoadedClassList="$work/$b.classlist") ;;
    aot) rec=(-XX:AOTCacheOutput="$work/$b.aot") ;;
    esac
    start "$b" "$work/train-$b-$m.log" "${rec[@]}"
    load -n 1 --timeout 60 > /dev/null
    load -c 4 -n 200 > /dev/null; load -c 4 -n 100 --resume > /dev/null
    stop
    if [ "$m" = classlist ]; then
      # what make-startup-cache does on the target (java -Xshare:dump writes the archive and exits)
      # shellcheck disable=SC2046
      (cd "$work" && "${jvm[@]}" -Xshare:dump -XX:SharedClassListFile="$work/$b.classlist" \
        -XX:SharedArchiveFile="$work/$b.jsa" -XX:+AOTClassLinking $(daemon_args "$b")) > "$work/dump-$b.log" 2>&1 || true
      out=$work/$b.jsa
    else
      out=$work/$b.aot
    fi
    [ -s "$out" ] || { echo "cold-start: training ($b, $m) wrote no archive; see below" >&2; cat "$work"/*-"$b"*.log >&2; exit 1; }
  done
done
size=
for b in "${builds[@]}"; do
  for m in "${modes[@]}"; do
    [ "$m" = none ] || size="$size $b/$m $(du -m "$work/$b.$([ "$m" = aot ] && echo aot || echo jsa)" | cut -f1) MiB"
  done
done

echo "cold start, median of $runs runs (builds and archives interleaved); $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "archives:${size:-}"
: > "$work/runs"
for _ in $(seq "$runs"); do   # run by run: every build and archive once, so each round shares the machine's state
  for b in "${builds[@]}"; do
    for m in "${modes[@]}"; do
      read -r -a arch <<<"$(archive_flags "$b" "$m")"
      create=$(java $flags "${arch[@]}" -Xlog:startuptime -version 2>/dev/null | sed -n 's/.* Create VM, \([0-9.]*\) secs/\1/p' \
        | awk '{printf "%d", $1 * 1000}')
      echo "$b $m ${create:-–} $(cold "$b" "${arch[@]}")" >> "$work/runs"
    done
  done
done
# columns of runs: build mode create first next exec main config tls state listener accepting admin ready handshake
col() { awk -v b="$1" -v m="$2" -v c="$3" '$1 == b && $2 == m && $c != "–" {print $c}' "$work/runs" | median; }
echo
echo "ms from the first connection (medians):"
echo "| build | archive | JVM create | exec | main | config parsed | TLS ready | state open | listener | accepting | admin+metrics | READY=1 | handshake+policy done | **first reply** | next connection |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for b in "${builds[@]}"; do
  for m in "${modes[@]}"; do
    row="| $b | $m"
    for c in 3 6 7 8 9 10 11 12 13 14 15; do row="$row | $(col "$b" "$m" $c)"; done
    echo "$row | **$(col "$b" "$m" 4)** | $(col "$b" "$m" 5) |"
  done
done
echo "(JVM create: -Xlog:startuptime of java -version with that archive, alone, not from the connection)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "${BENCH_KEEP:-}" ] || { cp "$work/runs" "$BENCH_KEEP"; echo "raw rows: $BENCH_KEEP"; }
