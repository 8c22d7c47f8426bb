#!/bin/sh
# The latency securecmd-client --attest adds to one command against a swtpm device, next to the command alone
# (org.securecmd.bench.AttestLatency; needs swtpm, swtpm_setup and openssl). A throwaway daemon on 127.0.0.1.
# Usage: bench/attest-latency.sh [RUNS]
# A benchmark, not a test: it reports numbers and asserts nothing about them.
set -eu
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
mvn -B -o -q -Dstyle.color=never -DskipTests -pl bench -am package dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt"
cp=$(cat bench/target/bench-classpath.txt)
exec java -cp "bench/target/classes:$cp" -Dlogback.configurationFile=/dev/null \
  org.securecmd.bench.AttestLatency "${1:-50}"
