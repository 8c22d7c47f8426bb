#!/usr/bin/env bash
# Numbers for docs/performance.md (a benchmark, not a test: it asserts
# nothing). In a booted container, like the tests:
#   - package size, installed size of the runtime and of /usr/lib/securecmd;
#   - daemon RSS when idle after its first requests;
#   - what postinst spends making the startup archives (make-startup-cache);
#   - time from the first connection on the cold socket (service stopped,
#     socket listening) to the reply, with and without the daemon's startup
#     archive (/usr/lib/securecmd/securecmdd.aot: made by postinst now; earlier
#     packages shipped a build-time AOT cache under the same name).
#
#   sudo packaging/bench.sh [path/to/securecmd_*_amd64.deb] [ROUNDS]
#
# The client is the packaged JVM client, so every request includes its own JVM
# start; the warm time (service already running) is measured the same way, and
# "cold - warm" is what socket activation costs the first device.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=container/test-deb.sh
. "$here/container/test-deb.sh"      # ct_* helpers and the install/PKI/config steps

ROUNDS=${2:-5}

# Milliseconds for one mTLS request inside the container (must succeed).
request_ms() {
  ct_sh "s=\$(date +%s%N); r=\$($MTLS_CLIENT localhost GET_SECRET); e=\$(date +%s%N)
         [ \"\$r\" = $SECRET ] || { echo \"bench: unexpected reply '\$r'\" >&2; exit 1; }
         echo \$(( (e - s) / 1000000 ))"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# One cold and one warm request per round; prints "cold_median warm_median".
cold_and_warm() {
  local cold=() warm=() i
  for ((i = 0; i < ROUNDS; i++)); do
    ct_exec systemctl stop securecmd.service 2>/dev/null   # "can still be activated by the socket": yes, on purpose
    cold+=("$(request_ms)")
    warm+=("$(request_ms)")
  done
  echo "$(printf '%s\n' "${cold[@]}" | median) $(printf '%s\n' "${warm[@]}" | median)"
}

idle_rss_mib() {
  local pid; pid=$(main_pid)
  # Settling time before the reading (not synchronisation): let the JIT and GC
  # finish what the first requests started.
  sleep 5
  echo $(( $(ct_exec ps -o rss= -p "$pid") / 1024 ))
}

main() {
  DEB=${1:-$(ls "$here"/target/securecmd_*_amd64.deb 2>/dev/null | tail -n1)}
  [ -f "${DEB:-}" ] || { echo "bench.sh: no .deb (run mvn package)" >&2; exit 2; }
  local share; share=$(mktemp -d)
  # shellcheck disable=SC2034 # read by lib.sh's exit trap
  CT_AT_EXIT="rm -rf '$share'"
  cp "$DEB" "$here/../scripts/tutorial-pki.sh" "$share/"
  ct_boot "$("$here/container/rootfs.sh")" "$share"
  ( set -e; step_install; step_pki; step_config ) >/dev/null
  ct_exec systemctl enable --now securecmd.socket >/dev/null 2>&1
  ct_exec systemctl restart securecmd.socket

  local pkg rt total aot make_s
  pkg=$(awk -v b="$(stat -c %s "$DEB")" 'BEGIN { printf "%.1f", b / 1048576 }')
  # What postinst spent (it ran once in step_install; again here, timed, on a warm page cache).
  make_s=$(ct_sh 'if [ -x /usr/lib/securecmd/make-startup-cache ]; then
                    s=$(date +%s%N); /usr/lib/securecmd/make-startup-cache; e=$(date +%s%N)
                    echo $(( (e - s) / 1000000 )) ms; else echo "n/a (archive shipped)"; fi')
  rt=$(ct_exec du -sm /usr/lib/securecmd/runtime | cut -f1)
  total=$(ct_exec du -sm /usr/lib/securecmd | cut -f1)
  aot=$(ct_exec sh -c 'du -sm /usr/lib/securecmd/securecmdd.aot 2>/dev/null | cut -f1 || echo 0')

  request_ms >/dev/null                  # first start: warms the page cache
  local rss; rss=$(idle_rss_mib)
  local with without
  with=$(cold_and_warm)
  ct_exec sh -c '[ -e /usr/lib/securecmd/securecmdd.aot ] && mv /usr/lib/securecmd/securecmdd.aot /root/ || true'
  without=$(cold_and_warm)
  ct_exec sh -c '[ -e /root/securecmdd.aot ] && mv /root/securecmdd.aot /usr/lib/securecmd/ || true'

  echo "securecmd benchmark ($(basename "$DEB"), $(nproc) cores, median of $ROUNDS, load average $(cut -d' ' -f1-3 /proc/loadavg))"
  printf '%-44s %s\n' \
    "package size" "${pkg} MiB" \
    "runtime on disk (/usr/lib/securecmd/runtime)" "${rt} MiB" \
    "all of /usr/lib/securecmd" "${total} MiB (startup archive ${aot} MiB)" \
    "postinst: make-startup-cache" "$make_s" \
    "daemon RSS, idle after first requests" "${rss} MiB" \
    "cold socket -> reply, with startup archive" "${with% *} ms (warm ${with#* } ms, +$(( ${with% *} - ${with#* } )) ms)" \
    "cold socket -> reply, without it" "${without% *} ms (warm ${without#* } ms, +$(( ${without% *} - ${without#* } )) ms)"
}

main "$@"
