#!/usr/bin/env bash
# tutorial-pki.sh DIR [--ip IP] [--dns NAME] [--client-cn CN] [--days N]: the tutorial's openssl commands
# (RSA-4096 CA, EC P-256 server and device keys, `openssl x509 -req` with an extension file), in DIR.
# The one copy of those steps, for the demo, the benchmarks, testssl, the package's AOT training run, the
# container test and the Yocto layer check. DIR is a temporary directory: these keys never go into git.
# Writes: ca.crt ca.key server.crt server.key client.crt client.key (PKCS#8 keys, mode 0600); the server
# certificate is for IP (default 127.0.0.1, CN and SAN) and, with --dns, also for NAME; the device's CN is
# CN (default trusted-client). Valid N days (default 365; testssl flags shorter ones as expiring).
set -euo pipefail
dir=$1; shift
ip=127.0.0.1 dns="" client_cn=trusted-client days=365
while [ $# -gt 0 ]; do
  case "$1" in
    --ip) ip=$2; shift 2 ;;
    --dns) dns=$2; shift 2 ;;
    --client-cn) client_cn=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    *) echo "tutorial-pki.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
cd "$dir"
umask 077
{
  openssl genrsa -out ca.key 4096
  openssl req -x509 -new -nodes -key ca.key -sha256 -days 3650 -out ca.crt -subj "/CN=My Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key
  openssl req -new -key server.key -out server.csr -subj "/CN=$ip"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:%s%s\n' \
    "$ip" "${dns:+,DNS:$dns}" > server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days "$days" -sha256 \
    -extfile server.ext
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client.key
  openssl req -new -key client.key -out client.csr -subj "/CN=$client_cn"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
  openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days "$days" -sha256 \
    -extfile client.ext
} >/dev/null 2>&1 || { echo "tutorial-pki.sh: openssl failed in $dir" >&2; exit 1; }
chmod 644 ca.crt server.crt client.crt
