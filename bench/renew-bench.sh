#!/bin/sh
# RENEW/s at concurrency 8 beside full mutual-TLS handshakes + PING/s at the same concurrency, against an
# in-process daemon with [enrollment] (issuing CA from securecmd-pki init-intermediate, PEM keys).
# Usage: bench/renew-bench.sh [SECONDS-PER-MEASUREMENT]
# A benchmark, not a test: it reports numbers and asserts nothing about them.
set -eu
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
# Builds in the reactor (nothing is installed into ~/.m2); the last module to write the classpath is pki.
mvn -B -o -q -Dstyle.color=never -DskipTests -pl pki -am package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/pki/target/bench-classpath.txt"
cp=$(cat pki/target/bench-classpath.txt)
exec java -cp "pki/target/test-classes:pki/target/classes:$cp" \
  -Dlogback.configurationFile=/dev/null \
  org.securecmd.pki.device.RenewBench "${1:-5}"
