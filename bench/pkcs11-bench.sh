#!/bin/sh
# Signatures/s and full mutual-TLS handshakes/s with the device key in a PEM file, SoftHSM2 and swtpm.
# Usage: bench/pkcs11-bench.sh [SECONDS-PER-MEASUREMENT]   (needs the packages in scripts/ci-packages-pki.txt)
# A benchmark, not a test: it reports numbers and asserts nothing about them. The program is
# bench/src/main/java/org/securecmd/bench/pkcs11/Pkcs11Bench.java (module bench, built by every build).
set -eu
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
work=bench/target/pkcs11
# Builds in the reactor (nothing is installed into ~/.m2); the last module to write the file is bench.
mvn -B -q -Dstyle.color=never -DskipTests -Dsecurecmd.aot.skip -pl bench -am package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt"
cp=$(cat bench/target/bench-classpath.txt)
rm -rf "$work"
mkdir -p "$work"
# The token modules read these when they load (as surefire sets them for the tests).
export SOFTHSM2_CONF="$PWD/$work/softhsm2/softhsm2.conf"
export TPM2_PKCS11_STORE="$PWD/$work/tpm/store" TPM2_PKCS11_TCTI=tabrmd:bus_type=session TPM2_PKCS11_LOG_LEVEL=0
export DBUS_SESSION_BUS_ADDRESS="unix:path=$PWD/$work/tpm/bus"
exec java -cp "bench/target/classes:$cp" --enable-native-access=ALL-UNNAMED \
  --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED \
  -Dlogback.configurationFile=/dev/null -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  org.securecmd.bench.pkcs11.Pkcs11Bench "${1:-3}"
