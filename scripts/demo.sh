#!/usr/bin/env bash
# ./dev.sh demo [--once]: builds securecmd, makes a throwaway dev PKI with the tutorial's openssl
# commands, starts the daemon on 127.0.0.1:5000 with mutual TLS and runs the client against it.
# Without --once the daemon keeps running until Ctrl-C, so you can try more commands.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
once=false; [ "${1:-}" = "--once" ] && once=true

echo "== building (mvn package, tests skipped)"
mvn -B -q package -DskipTests

dir=$(mktemp -d /tmp/securecmd-demo.XXXXXX)
trap 'kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; rm -rf "$dir"' EXIT
echo "== dev PKI in $dir (openssl, as in the tutorial; for development only)"
scripts/tutorial-pki.sh "$dir"
scripts/throwaway-config.sh demo 5000 THIS_IS_THE_SECRET > "$dir/config.toml"

echo "== starting securecmdd on 127.0.0.1:5000"
java -jar daemon/target/securecmdd.jar --config "$dir/config.toml" &
daemon=$!
client() { java -jar client/target/securecmd-client.jar --ca "$dir/ca.crt" --cert "$dir/client.crt" --key "$dir/client.key" 127.0.0.1 "$@"; }
for _ in $(seq 100); do   # bounded wait for the port, about 10 s
  kill -0 "$daemon" 2>/dev/null || { echo "daemon exited" >&2; exit 1; }
  client PING >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== securecmd-client 127.0.0.1 GET_SECRET  (mutual TLS as trusted-client)"
client GET_SECRET
echo "== securecmd-client 127.0.0.1 WHOAMI"
client WHOAMI
if $once; then exit 0; fi
echo
echo "The daemon keeps running; try in another shell:"
echo "  java -jar client/target/securecmd-client.jar --ca $dir/ca.crt --cert $dir/client.crt --key $dir/client.key 127.0.0.1 PING"
echo "Ctrl-C stops it and removes $dir."
wait "$daemon"
