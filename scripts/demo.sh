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
(
  cd "$dir"
  umask 077
  openssl genrsa -out ca.key 4096 2>/dev/null
  openssl req -x509 -new -nodes -key ca.key -sha256 -days 3650 -out ca.crt -subj "/CN=My Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key
  openssl req -new -key server.key -out server.csr -subj "/CN=127.0.0.1"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' > server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 365 -sha256 \
    -extfile server.ext 2>/dev/null
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client.key
  openssl req -new -key client.key -out client.csr -subj "/CN=trusted-client"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
  openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 365 -sha256 \
    -extfile client.ext 2>/dev/null
  cat > config.toml <<'TOML'
[server]
listen = "127.0.0.1:5000"
[tls]
certificate = "server.crt"
private_key = "server.key"
[clients]
auth = "required"
ca = "ca.crt"
allow = ["trusted-client"]
[admin]
socket = "admin.sock"
[state]
directory = "state"
[commands.GET_SECRET]
reply = "THIS_IS_THE_SECRET"
allow = ["trusted-client"]
TOML
)

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
