#!/usr/bin/env bash
# ./dev.sh test: every test of the project, in order of cost. Prints a summary; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh

step() { printf '\n== %s\n' "$*"; }

step "Prometheus alert rules: promtool check rules and the rules' unit tests (etc/prometheus)"
promtool check rules etc/prometheus/securecmd-alerts.yml
(cd etc/prometheus && promtool test rules securecmd-alerts.test.yml)

step "mvn -B verify (unit and integration tests, real TLS on loopback)"
mvn -B verify

step "bench/: the native load generator and backend compile (benchmarks are run by bench/run.sh, never here)"
bench_out=$(mktemp -d)
gcc -O2 -Wall -Wextra -Werror -o "$bench_out/tlsload" bench/tlsload.c -lssl -lcrypto -lpthread
gcc -O2 -Wall -Wextra -Werror -o "$bench_out/plain_backend" bench/plain_backend.c
python3 -c "import ast; ast.parse(open('bench/harness.py').read(), 'bench/harness.py')"
rm -rf "$bench_out"

step "testssl against the daemon (mutual TLS; no finding LOW or above outside the allow-list; TLS 1.3, AEAD, forward secrecy, resumption)"
scripts/testssl.sh

step "meta-securecmd layer check (static rules + do_install under fakeroot)"
python3 yocto-layer/check-layer.py --jar client/target/securecmd-client.jar

step "README's demo (./dev.sh demo --once) prints the secret"
out=$(scripts/demo.sh --once 2>/dev/null)
echo "$out"
grep -qx 'THIS_IS_THE_SECRET' <<<"$out" || { echo "demo did not print the secret" >&2; exit 1; }

step "the manual's runnable shell blocks (scripts/check-docs.py)"
python3 scripts/check-docs.py

if [ "$(id -u)" = 0 ]; then
  step "lintian and artifact checks on the .deb"
  packaging/lint.sh

  step "the .deb installed with apt under real systemd (systemd-nspawn)"
  packaging/container/test-deb.sh
else
  step "SKIPPED: packaging/lint.sh and packaging/container/test-deb.sh need root (CI runs them)"
fi

step "all tests passed"
