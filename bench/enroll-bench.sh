#!/bin/sh
# TPM-attested enrollment: the server work of ENROLL and of ENROLL-PROOF per second beside full mutual-TLS
# handshakes + PING per second against a throwaway daemon, all at concurrency THREADS (org.securecmd.bench.EnrollBench;
# needs swtpm, swtpm_setup and openssl).
# Usage: bench/enroll-bench.sh [THREADS] [SECONDS]
# A benchmark, not a test: it reports numbers and asserts nothing about them.
set -eu
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
# Builds in the reactor (nothing is installed into ~/.m2); the classpath is the bench module's runtime one.
mvn -B -o -q -Dstyle.color=never -DskipTests -pl bench -am package dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt"
cp=$(cat bench/target/bench-classpath.txt)
exec java -cp "bench/target/classes:$cp" -Dlogback.configurationFile=/dev/null \
  org.securecmd.bench.EnrollBench "${1:-8}" "${2:-5}"
