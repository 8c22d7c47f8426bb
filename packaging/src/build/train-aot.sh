#!/usr/bin/env bash
# Training run for the startup cache: starts the staged daemon through its own
# launcher with a throw-away PKI and config, serves a few mutual-TLS requests
# (and one refused handshake), then stops it with SIGTERM, as systemd would.
# The JVM writes down every class it loaded (securecmdd.classlist, -XX:DumpLoadedClassList,
# about 90 KB of the .deb): the package ships that record, and postinst makes the
# archive from it on the target (make-startup-cache). Shipping the archive itself
# (or JDK 25's -XX:AOTConfiguration record, which is itself an archive) would cost
# about 6 MiB of the .deb (docs/performance.md, "The package"). To catch a
# broken record here rather than on an operator's machine, the archive is made
# once from it below and thrown away.
#
#   train-aot.sh STAGE_DIR LOGBACK_XML
set -euo pipefail

stage=$1 logback=$2
home=$stage/usr/lib/securecmd
launchers=$stage/../launchers
out=$home/securecmdd.classlist
work=$(mktemp -d)
daemon=""

cleanup() {
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then kill -KILL "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The repository's scripts: the tutorial's PKI and the throwaway config, as the demo and the benchmarks use.
scripts=$(cd "$(dirname "$0")/../../../scripts" && pwd)

# A port nobody listens on (the build machine may run other things).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "train-aot.sh: no free port found" >&2; exit 1
}

client() {
  "$home/runtime/bin/java" -XX:TieredStopAtLevel=1 -jar "$home"/lib/securecmd-client*.jar \
    --port "$port" --ca "$work/ca.crt" "$@" localhost GET_SECRET
}

main() {
  command -v openssl >/dev/null || { echo "train-aot.sh: openssl is needed for the training PKI" >&2; exit 1; }
  "$scripts/tutorial-pki.sh" "$work" --dns localhost
  port=$(free_port)
  "$scripts/throwaway-config.sh" training "$port" TRAINING > "$work/config.toml"
  rm -f "$out"
  SECURECMD_HOME=$home SECURECMD_AOT_RECORD=$out SECURECMD_LOGBACK=$logback \
    sh "$launchers/securecmdd" --config "$work/config.toml" >"$work/daemon.log" 2>&1 &
  daemon=$!

  # Ready when a request succeeds (bounded: a broken daemon must fail the build).
  local deadline=$((SECONDS + 60)) reply=""
  until reply=$(client --cert "$work/client.crt" --key "$work/client.key" 2>/dev/null) && [ "$reply" = TRAINING ]; do
    if ! kill -0 "$daemon" 2>/dev/null; then
      cat "$work/daemon.log" >&2
      echo "train-aot.sh: the daemon exited before serving (log above; -Dsecurecmd.aot.skip packages without the class list)" >&2
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      cat "$work/daemon.log" >&2
      echo "train-aot.sh: the daemon did not serve within 60 s (log above; -Dsecurecmd.aot.skip packages without the class list)" >&2
      exit 1
    fi
    sleep 0.3
  done
  # A few more requests, and the refusal path (no client certificate).
  for _ in 1 2 3 4; do client --cert "$work/client.crt" --key "$work/client.key" >/dev/null; done
  client >/dev/null 2>&1 || true

  kill -TERM "$daemon"
  deadline=$((SECONDS + 120))
  while kill -0 "$daemon" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "train-aot.sh: daemon did not exit after SIGTERM" >&2; exit 1; }
    sleep 0.3
  done
  wait "$daemon" || true
  daemon=""
  [ -s "$out" ] || { cat "$work/daemon.log" >&2; echo "train-aot.sh: no class list written" >&2; exit 1; }
  echo "train-aot.sh: $(grep -c . "$out") lines of class list from the training run"
  # What postinst will run, on the staged tree (the archive lands in the work directory).
  SECURECMD_HOME=$home SECURECMD_LAUNCHER=$launchers/securecmdd sh "$launchers/make-startup-cache" --check "$work" \
    || { echo "train-aot.sh: the class list does not make an archive (see above)" >&2; exit 1; }
  echo "train-aot.sh: it makes a $(du -h "$work/securecmdd.aot" | cut -f1) startup archive"
}

main "$@"
