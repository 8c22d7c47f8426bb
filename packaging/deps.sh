#!/usr/bin/env bash
# Installs the Debian packages that building and testing the .deb need (CI runs
# this on a fresh Debian 12 machine; developers once). The JDK 25 that runs Maven
# is not among them: see scripts/find-jdk.sh.
#
#   sudo packaging/deps.sh
set -euo pipefail

PACKAGES=(
  maven              # the build
  binutils           # strip, for the jlink runtime's native files (stage.sh)
  openssl            # the training run's PKI (train-aot.sh)
  lintian            # lint.sh
  mmdebstrap         # the test root filesystem (container/rootfs.sh)
  systemd-container  # systemd-nspawn (container/lib.sh)
  util-linux         # nsenter, setpriv (container/lib.sh)
  procps             # pgrep (container/lib.sh)
)

apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${PACKAGES[@]}"
