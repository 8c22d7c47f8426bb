#!/bin/sh
# Prints the systemd-analyze security exposure score of etc/securecmd.service and fails above the target.
#   etc/check-unit-security.sh [UNIT_FILE] [MAX_SCORE]      (defaults: etc/securecmd.service, 1.5)
# --offline=true (systemd 252+) reads the unit file itself, so no installed unit or running systemd is needed.
set -eu
unit=${1:-"$(dirname "$0")/securecmd.service"}
max=${2:-1.5}
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check-unit-security: systemd-analyze not found (Debian package systemd)" >&2
  exit 2
fi
out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' | tail -n 1)
if [ -z "$score" ]; then
  printf '%s\n' "$out" >&2
  echo "check-unit-security: no score in the output of systemd-analyze security --offline=true $unit" >&2
  exit 2
fi
echo "systemd-analyze security $(basename "$unit"): $score (target <= $max)"
if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s > m) }'; then
  printf '%s\n' "$out" | grep '✗' >&2 || true
  echo "check-unit-security: exposure $score is above $max" >&2
  exit 1
fi
