#!/usr/bin/env bash
# Installs the Debian packages that building and testing the .deb need (developers once; CI's .ci/run
# installs every scripts/ci-packages*.txt itself). The JDK 25 that runs Maven is not among them:
# see scripts/find-jdk.sh.
#
#   sudo packaging/deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(grep -hv '^#' scripts/ci-packages.txt scripts/ci-packages-deb.txt)
