#!/usr/bin/env bash
# Builds (or reuses) a minimal Debian 12 root filesystem for the package tests and
# prints its path on stdout.
#
#   packaging/container/rootfs.sh            -> /var/cache/securecmd-test/rootfs-<key>
#
# The tree boots with real systemd under systemd-nspawn. It deliberately has NO
# Java: the .deb must bring its own runtime. The cache key is the sha256 of this
# script (package list and options included) and the mirror, so editing either
# rebuilds; the build goes to a temporary directory that is renamed into place
# only when complete, so an interrupted build never leaves a half tree behind.
set -euo pipefail

CACHE_DIR=${SECURECMD_TEST_CACHE:-/var/cache/securecmd-test}
SUITE=bookworm

# What the tests need inside: systemd as PID 1 (+ dbus for systemctl), apt to
# install the .deb with its Depends, openssl for the tutorial's PKI commands,
# procps/iproute2 for ps/ss checks, passwd/adduser for the maintainer scripts
# and for the unprivileged test user. No JDK, no python.
PACKAGES=(systemd systemd-sysv dbus apt ca-certificates openssl procps iproute2 adduser passwd util-linux)

# The only network we may use is the Debian archive the host is configured with.
host_mirror() {
  local m
  m=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
      | grep -oE 'https?://[^ ]*/debian/?' | grep -v security | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

main() {
  [ "$(id -u)" -eq 0 ] || { echo "rootfs.sh: must run as root (mmdebstrap --mode=root)" >&2; exit 1; }
  command -v mmdebstrap >/dev/null || { echo "rootfs.sh: mmdebstrap not installed (apt-get install mmdebstrap)" >&2; exit 1; }

  local mirror key target
  mirror=$(host_mirror)
  key=$( { cat "$0"; echo "$mirror"; } | sha256sum | cut -c1-16)
  target="$CACHE_DIR/rootfs-$key"
  if [ -x "$target/lib/systemd/systemd" ]; then echo "$target"; return 0; fi

  mkdir -p "$CACHE_DIR"
  TMP_BUILD=$(mktemp -d "$CACHE_DIR/.build-XXXXXX")
  trap 'rm -rf "$TMP_BUILD"' EXIT
  echo "rootfs.sh: building $SUITE rootfs from $mirror into $target" >&2
  # --variant=minbase: essential + apt only; our list on top.
  # The customize hooks make it bootable without interaction: a hostname, no
  # getty on the console (nothing reads it), and an empty machine-id so
  # systemd generates one per boot.
  mmdebstrap --mode=root --variant=minbase --format=directory \
    --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    --customize-hook='echo securecmd-test > "$1/etc/hostname"' \
    --customize-hook=': > "$1/etc/machine-id"' \
    --customize-hook='chroot "$1" systemctl mask console-getty.service getty@tty1.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true' \
    --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
    "$SUITE" "$TMP_BUILD/root" "deb $mirror $SUITE main" >&2
  # Old trees with other keys are stale: remove them so the cache does not grow.
  find "$CACHE_DIR" -maxdepth 1 -name 'rootfs-*' ! -name "rootfs-$key" -exec rm -rf {} + 2>/dev/null || true
  mv -T "$TMP_BUILD/root" "$target"
  echo "$target"
}

main "$@"
