#!/usr/bin/env bash
# The Debian packages the tests need, listed once in scripts/ci-packages*.txt (one per line, # comments).
#   scripts/packages.sh check     exit 1 and name what is missing, with the one command that installs it
#   scripts/packages.sh install   apt-get update, then install them all (root; what ./dev.sh setup and .ci/run do)
set -euo pipefail
cd "$(dirname "$0")/.."

wanted() { grep -hv '^\s*#' scripts/ci-packages*.txt | tr -s ' \t' '\n' | grep -v '^$' | sort -u; }

case "${1:-}" in
  check)
    missing=()
    for p in $(wanted); do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "missing Debian packages the tests need: ${missing[*]}" >&2
      echo "install them with: sudo ./dev.sh setup" >&2
      exit 1
    fi ;;
  install)
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2046  # one word per package
    apt-get install -y -q --no-install-recommends $(wanted) ;;
  *) echo "usage: scripts/packages.sh check|install" >&2; exit 2 ;;
esac
