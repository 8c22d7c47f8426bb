#!/usr/bin/env bash
# Developer entry point: ./dev.sh demo | test | build
# Finds a JDK 25 (JAVA_HOME if it is 25+, else /usr/lib/jvm/*25*) and runs Maven with it.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-jdk.sh

case "${1:-}" in
  build) mvn -B -q package -DskipTests ;;
  test)  exec scripts/test-all.sh ;;
  demo)  shift; exec scripts/demo.sh "$@" ;;
  *) echo "usage: ./dev.sh demo [--once] | test | build" >&2; exit 2 ;;
esac
