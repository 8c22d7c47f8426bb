#!/usr/bin/env bash
# Checks the built .deb itself: lintian (no errors, no warnings that the package
# does not override with a reason) and the properties the install relies on.
#
#   packaging/lint.sh [packaging/target/securecmd_*.deb]
#
# Needs lintian and dpkg-deb (Debian's lintian knows Debian policy; overrides
# live in the package, src/deb/lintian/securecmd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

find_deb() {
  local debs=("$here"/target/securecmd_*_amd64.deb)
  [ -e "${debs[0]}" ] || { echo "lint.sh: no .deb in $here/target; run mvn package first" >&2; exit 1; }
  echo "${debs[-1]}"
}

run_lintian() {
  # --fail-on: exit non-zero on any unoverridden error or warning. Running as
  # root is what CI does; lintian only warns about it.
  local out rc=0
  out=$(lintian --fail-on error,warning --info "$1" 2>&1) || rc=$?
  grep -v 'running with root privileges' <<<"$out" || true
  [ "$rc" -eq 0 ] || fail "lintian reports errors or warnings (above)"
}

# "mode owner path" lines from the data archive, for the checks below.
listing() { dpkg-deb -c "$1" | awk '{ sub(/^\./, "", $6); print $1, $2, $6 }'; }

check_contents() {
  local deb=$1 list; list=$(listing "$deb")
  local exe
  for exe in /usr/sbin/securecmdd /usr/bin/securecmdctl /usr/bin/securecmd-client \
             /usr/lib/securecmd/runtime/bin/java; do
    grep -qE "^-rwxr-xr-x root/root $exe\$" <<<"$list" || fail "$exe is not root:root 0755"
  done
  grep -qE '^-rwxr-xr-x .*/runtime/lib/jspawnhelper$' <<<"$list" || fail "jspawnhelper not executable (process launching breaks)"
  # No key, certificate or CSR may ever ship; the operator provides them.
  if grep -Ei '\.(pem|key|crt|csr|p12|jks)$' <<<"$list"; then fail "package contains key/certificate material"; fi
  # Both /etc files are conffiles, and nothing else in /etc is.
  local conf; conf=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles | sort)
  [ "$conf" = $'/etc/securecmd/config.toml\n/etc/securecmd/logback.xml' ] || fail "conffiles: got '$conf'"
  # The runtime is inside: no Java package may be a dependency.
  local depends; depends=$(dpkg-deb -f "$deb" Depends)
  if grep -Eiq 'java|jre|jdk' <<<"$depends"; then fail "Depends mentions Java: $depends"; fi
  [ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "Architecture is not amd64"
  # Units where systemd looks for package units.
  grep -q ' /lib/systemd/system/securecmd.socket$' <<<"$list" || fail "securecmd.socket missing"
  grep -q ' /lib/systemd/system/securecmd.service$' <<<"$list" || fail "securecmd.service missing"
  grep -qE '^-rw-r--r-- root/root /usr/share/doc/securecmd/examples/securecmd-alerts.yml$' <<<"$list" \
    || fail "the Prometheus alert rules are not in examples/ (0644)"
  # Reproducible: every entry carries the build's fixed timestamp
  # (project.build.outputTimestamp), not the time of the build.
  local stamps; stamps=$(dpkg-deb --fsys-tarfile "$deb" | tar -tvf - --full-time | awk '{print $4}' | sort -u)
  [ "$(wc -l <<<"$stamps")" -eq 1 ] || fail "entries have different dates: $(echo $stamps)"
}

main() {
  local deb=${1:-$(find_deb)}
  echo "lint.sh: $deb"
  run_lintian "$deb"
  check_contents "$deb"
  if [ "$failures" -eq 0 ]; then echo "lint.sh: OK"; else echo "lint.sh: $failures problem(s)" >&2; exit 1; fi
}

main "$@"
