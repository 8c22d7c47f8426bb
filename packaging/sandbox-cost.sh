#!/usr/bin/env bash
# What the unit's sandbox adds to a socket-activated start: in a booted container (as the tests), the
# installed package is started by a device's connection RUNS times with securecmd.service as shipped and
# RUNS times with a drop-in that turns its sandbox options off, alternately; prints per start the ms from
# the connection to systemd's start job, the exec of the launcher, the daemon's main (its "startup:" line),
# READY=1, the first handshake and the reply (test-deb.sh's cold_start_row), then the JVM's own start in the container (-Xlog:startuptime of java -version with the daemon's flags and archive).
# Bounded; asserts nothing; the container and the drop-in are gone afterwards.
#
#   sudo packaging/sandbox-cost.sh [path/to/securecmd_*_amd64.deb] [RUNS]   (default: packaging/target's, 5)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=container/test-deb.sh
. "$here/container/test-deb.sh"      # ct_* helpers and the install/PKI/config steps
DEB=${1:-$(ls "$here"/target/securecmd_*_amd64.deb 2>/dev/null | tail -n1)}
runs=${2:-5}
[ -f "${DEB:-}" ] || { echo "sandbox-cost.sh: no .deb given and none in packaging/target" >&2; exit 2; }
share=$(mktemp -d)
CT_AT_EXIT="rm -rf '$share'"
cp "$DEB" "$here/../scripts/tutorial-pki.sh" "$share/"
ct_boot "$("$here/container/rootfs.sh")" "$share"
for s in install pki config socket_activation; do run_step "$s" >/dev/null; done

# one LABEL: a cold start by a device's connection (test-deb.sh's cold_start_row), labelled
one() { echo "$1: $(cold_start_row)"; }
sandbox() { # sandbox on|off
  if [ "$1" = on ]; then
    ct_sh 'rm -f /etc/systemd/system/securecmd.service.d/sandbox-cost.conf; systemctl daemon-reload'
  else
    ct_sh 'mkdir -p /etc/systemd/system/securecmd.service.d
      printf "%s\n" "[Service]" ProtectSystem=no ProtectHome=no PrivateTmp=no PrivateDevices=no PrivateIPC=no \
        PrivateMounts=no ProtectHostname=no ProtectClock=no ProtectKernelTunables=no ProtectKernelModules=no \
        ProtectKernelLogs=no ProtectControlGroups=no ProtectProc=default RestrictNamespaces=no SystemCallFilter= \
        IPAddressDeny= KeyringMode=inherit > /etc/systemd/system/securecmd.service.d/sandbox-cost.conf
      systemctl daemon-reload'
  fi
}
echo "sandbox-cost: $(basename "$DEB"), $runs starts each, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$runs"); do
  sandbox on; one "as shipped"
  sandbox off; one "sandbox off"
done
sandbox on
echo "the JVM alone in the container (the daemon's flags and archive):"
ct_sh 'for i in 1 2 3; do /usr/lib/securecmd/runtime/bin/java -XX:+UseSerialGC -XX:MaxRAM=16g -XX:MaxRAMPercentage=25 \
  -Xms32m -Xmn24m -Xss256k -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED \
  -XX:SharedArchiveFile=/usr/lib/securecmd/securecmdd.aot -Xlog:startuptime -version 2>&1 | grep "Create VM"; done'
