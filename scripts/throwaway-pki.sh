#!/usr/bin/env bash
# throwaway-pki.sh DIR: an EC P-256 CA, a server certificate for 127.0.0.1 (IP SAN) and a device
# certificate (CN trusted-client) in DIR, valid 365 days (testssl flags shorter ones as expiring), made with openssl for bench/run.sh and
# scripts/testssl.sh. DIR is a temporary directory: these keys are never stored in the repository.
# Writes: ca.crt, server.crt, server.key, device.crt, device.key (PKCS#8, mode 0600).
set -euo pipefail
cd "$1"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key.sec1 2>/dev/null
openssl req -x509 -new -key ca.key.sec1 -sha256 -days 365 -subj "/CN=Throwaway CA" -out ca.crt \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
leaf() { # name subject extensions
  openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$1.key"
  chmod 600 "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key.sec1 -CAcreateserial -days 365 -sha256 \
    -extfile "$1.ext" -out "$1.crt"
} 2>/dev/null
leaf server "/CN=127.0.0.1" "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature"
leaf device "/CN=trusted-client" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
