#!/usr/bin/env bash
# Developer entry point: ./dev.sh demo | test | build | setup
# Finds a JDK 25 (JAVA_HOME if it is 25+, else /usr/lib/jvm/*25*) and runs Maven with it.
set -euo pipefail
cd "$(dirname "$0")"
# setup needs no JDK (it installs what the tests need, as root); everything else does.
[ "${1:-}" = setup ] && exec scripts/packages.sh install
. scripts/find-jdk.sh

case "${1:-}" in
  build) mvn -B -q package -DskipTests ;;
  test)  scripts/packages.sh check; exec scripts/test-all.sh ;;
  demo)  shift; exec scripts/demo.sh "$@" ;;
  *) echo "usage: ./dev.sh demo [--once] | test | build | setup" >&2; exit 2 ;;
esac
