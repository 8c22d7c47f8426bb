#!/usr/bin/env bash
# Proves the container harness on its own, without securecmd: builds a trivial
# .deb with dpkg-deb holding a socket-activated service, installs it with apt in
# the booted container, and checks that the first connection starts it.
#
#   sudo packaging/container/smoke-test.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

# A package whose postinst enables its socket the way dh_installsystemd does.
build_trivial_deb() {
  local out=$1 root="$1/pkg"
  mkdir -p "$root/DEBIAN" "$root/lib/systemd/system"
  cat >"$root/DEBIAN/control" <<'CTL'
Package: sctest-echo
Version: 1.0
Architecture: all
Maintainer: securecmd tests <tests@securecmd.invalid>
Depends: systemd
Description: socket-activated echo for the container harness smoke test
CTL
  cat >"$root/lib/systemd/system/sctest-echo.socket" <<'UNIT'
[Socket]
ListenStream=127.0.0.1:7777
Accept=yes
[Install]
WantedBy=sockets.target
UNIT
  cat >"$root/lib/systemd/system/sctest-echo@.service" <<'UNIT'
[Service]
ExecStart=/bin/echo hello-from-socket
StandardInput=socket
StandardOutput=socket
UNIT
  cat >"$root/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  deb-systemd-helper enable sctest-echo.socket >/dev/null || true
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
    deb-systemd-invoke start sctest-echo.socket >/dev/null || true
  fi
fi
SH
  chmod 0755 "$root/DEBIAN/postinst"
  dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/sctest-echo.deb" >/dev/null
}

main() {
  local work; work=$(mktemp -d)
  CT_AT_EXIT="rm -rf '$work'"
  build_trivial_deb "$work"
  ct_boot "$("$here/rootfs.sh")" "$work"
  ct_sh "apt-get install -y -q $CT_MOUNT/sctest-echo.deb >/dev/null"
  ct_exec systemctl is-active sctest-echo.socket
  local reply
  reply=$(ct_sh 'exec 3<>/dev/tcp/127.0.0.1/7777; read -r -t 10 line <&3; echo "$line"')
  [ "$reply" = hello-from-socket ] || { echo "FAIL: got '$reply'" >&2; exit 1; }
  ct_exec java -version >/dev/null 2>&1 && { echo "FAIL: a JDK is in the test rootfs" >&2; exit 1; }
  echo "smoke test passed: socket activation inside the container works, no Java in it"
}

main "$@"
