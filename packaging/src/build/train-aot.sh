#!/usr/bin/env bash
# Training run for the startup cache: starts the staged daemon through its own
# launcher with a throw-away PKI and config, socket-activated as securecmd.socket
# starts it (train-devices.py passes the listener and a NOTIFY_SOCKET), serves
# a few hundred mutual-TLS devices (full and resumed handshakes, and one refused),
# then stops it with SIGTERM, as systemd would.
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
here=$(cd "$(dirname "$0")" && pwd)
trap 'rm -rf "$work"' EXIT

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

main() {
  command -v openssl >/dev/null || { echo "train-aot.sh: openssl is needed for the training PKI" >&2; exit 1; }
  command -v python3 >/dev/null || { echo "train-aot.sh: python3 is needed for the training devices" >&2; exit 1; }
  "$scripts/tutorial-pki.sh" "$work" --dns localhost >/dev/null 2>&1
  port=$(free_port)   # [server] listen, unused: the socket comes from train-devices.py, as from systemd
  "$scripts/throwaway-config.sh" training "$port" TRAINING > "$work/config.toml"
  rm -f "$out"
  # Socket-activated (the listener and NOTIFY_SOCKET as systemd passes them), so the record holds what a
  # socket-activated start runs (adopting the socket, sd_notify); devices with full and resumed handshakes
  # and a refused one; then SIGTERM.
  if ! (cd "$work" && SECURECMD_HOME=$home SECURECMD_AOT_RECORD=$out SECURECMD_LOGBACK=$logback \
      python3 "$here/train-devices.py" --dir "$work" --expect TRAINING -- \
      sh "$launchers/securecmdd" --config "$work/config.toml") >"$work/daemon.log" 2>&1; then
    cat "$work/daemon.log" >&2
    echo "train-aot.sh: the training run failed (log above; -Dsecurecmd.aot.skip packages without the class list)" >&2
    exit 1
  fi
  [ -s "$out" ] || { cat "$work/daemon.log" >&2; echo "train-aot.sh: no class list written" >&2; exit 1; }
  echo "train-aot.sh: $(grep -c . "$out") lines of class list from the training run"
  # What postinst will run, on the staged tree (the archive lands in the work directory).
  SECURECMD_HOME=$home SECURECMD_LAUNCHER=$launchers/securecmdd sh "$launchers/make-startup-cache" --check "$work" \
    || { echo "train-aot.sh: the class list does not make an archive (see above)" >&2; exit 1; }
  echo "train-aot.sh: it makes a $(du -h "$work/securecmdd.aot" | cut -f1) startup archive"
}

main "$@"
