#!/usr/bin/env bash
# scripts/testssl.sh: Debian's testssl (package testssl.sh) against the daemon, started from its jar on
# 127.0.0.1 with mutual TLS required and a throwaway PKI. Fails on any finding of severity LOW or above
# that is not on the allow-list below (each entry says why), and checks that TLS 1.0 and 1.1 are not
# offered, that every cipher offered is an AEAD cipher, and that forward secrecy is offered everywhere.
#
#   scripts/testssl.sh            (needs: mvn package done or doable, testssl, openssl, python3)
#
# Debian 12's testssl 3.0.8 has no --mtls option (3.2 has): testssl gets an openssl wrapper that adds the
# device certificate to every s_client call, so the checks that complete handshakes are authenticated.
# The socket-based checks (protocols, ciphers) only need the ServerHello, which comes before client auth.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh

for tool in testssl openssl python3; do
  command -v "$tool" >/dev/null || { echo "testssl.sh: $tool not found (apt-get install testssl.sh openssl python3)" >&2; exit 2; }
done
[ -f daemon/target/securecmdd.jar ] || mvn -B -q -pl client,daemon -am package -DskipTests -Dsecurecmd.aot.skip

work=$(mktemp -d /tmp/securecmd-testssl.XXXXXX)
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

scripts/tutorial-pki.sh "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scripts/throwaway-config.sh testssl "$port" TESTSSL_SECRET > "$work/config.toml"
java -jar daemon/target/securecmdd.jar --config "$work/config.toml" > "$work/daemon.log" 2>&1 &
daemon_pid=$!

cat > "$work/openssl" <<EOF
#!/bin/sh
# openssl as testssl calls it, with the device certificate on every s_client (mutual TLS)
if [ "\$1" = s_client ]; then shift; exec openssl s_client -cert "$work/client.crt" -key "$work/client.key" "\$@"; fi
exec openssl "\$@"
EOF
chmod +x "$work/openssl"

# Readiness and a sanity check in one: the device certificate the wrapper presents gets the secret
# (Python's ssl module, i.e. OpenSSL, as the tutorial's client); a bounded poll while the daemon starts.
# The second connection offers the session ticket of the first: session tickets must be on (resumption).
ask() {
  python3 - "$work" "$port" <<'EOF' 2>/dev/null
import socket, ssl, sys
work, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.create_default_context(cafile=f"{work}/ca.crt")
ctx.load_cert_chain(f"{work}/client.crt", f"{work}/client.key")
session, out = None, []
for _ in range(2):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1", session=session) as s:
            s.sendall(b"GET_SECRET\n")
            out.append(s.makefile().readline().strip())  # reading also takes in the TLS 1.3 ticket
            out.append("reused" if s.session_reused else "new")
            session = s.session
print(" ".join(out))
EOF
}
reply=
for ((i = 0; i < 100; i++)); do
  reply=$(ask || true)
  [ "${reply%% *}" = TESTSSL_SECRET ] && break
  sleep 0.2
done
if [ "${reply%% *}" != TESTSSL_SECRET ]; then
  echo "testssl.sh: the daemon did not serve the device certificate (reply '$reply'); daemon log:" >&2
  cat "$work/daemon.log" >&2
  exit 1
fi
if [ "$reply" != "TESTSSL_SECRET new TESTSSL_SECRET reused" ]; then
  echo "testssl.sh: a TLS 1.3 session ticket was not honoured (got '$reply'): resumption is off" >&2
  exit 1
fi
echo "mutual TLS with an OpenSSL client: served; the second connection resumed the first one's session"

echo "== testssl $(testssl --version 2>/dev/null | sed -n 's/.*testssl *\([0-9][^ ]*\).*/\1/p' | head -1) against securecmdd on 127.0.0.1:$port (mutual TLS)"
# Everything testssl does by default (HTTP checks skip themselves: the service is not HTTP).
timeout 900 testssl --quiet --color 0 --warnings off --openssl "$work/openssl" --add-ca "$work/ca.crt" \
  --jsonfile "$work/testssl.json" --ip 127.0.0.1 "127.0.0.1:$port" > "$work/testssl.txt" 2>&1 || true
[ -s "$work/testssl.json" ] || { echo "testssl.sh: testssl wrote no results:" >&2; cat "$work/testssl.txt" >&2; exit 1; }

python3 - "$work/testssl.json" <<'EOF'
import json
import sys

# Findings of severity LOW or above that are accepted, and why. Anything else fails the run.
ALLOWED = {
    "cert_revocation": "the server certificate comes from the operator's private CA; devices pin that CA "
                       "(server_ca.pem) and do not fetch CRLs or OCSP, so a CRL/OCSP URL would point nowhere. "
                       "A compromised server key is handled by re-issuing from, or rotating, the private CA.",
    "OCSP_stapling": "no OCSP responder exists for a private device-fleet CA (see cert_revocation).",
    "DNS_CAArecord": "CAA records restrict public CAs issuing for a DNS name; the test target is an IP address "
                     "and the CA is private.",
    "engine_problem": "Debian's openssl has no GOST engine; testssl only notes it skips GOST ciphers.",
    "sessionresumption_ticket": "testssl 3.0.8 runs s_client with stdin at EOF, so it closes before reading "
                                "the TLS 1.3 NewSessionTicket and has nothing to resume; this script checks "
                                "resumption itself with an OpenSSL client above (second connection reused).",
}
FAILING = {"LOW", "MEDIUM", "HIGH", "CRITICAL", "WARN"}
AEAD = ("AESGCM", "ChaCha20", "AESCCM")

findings = json.load(open(sys.argv[1]))
by_id = {}
for f in findings:
    by_id.setdefault(f["id"], []).append(f)
problems = []

def finding(fid):
    return " / ".join(f["finding"] for f in by_id.get(fid, [])) or "(missing)"

for f in findings:
    if f["severity"] in FAILING:
        if f["id"] in ALLOWED:
            print(f"allowed  {f['severity']:8} {f['id']}: {f['finding']}\n         because {ALLOWED[f['id']]}")
        else:
            problems.append(f"{f['severity']} {f['id']}: {f['finding']}")

for proto in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
    if not finding(proto).startswith("not offered"):
        problems.append(f"{proto} must not be offered: {finding(proto)}")
for cat in ("NULL", "aNULL", "EXPORT", "LOW", "3DES_IDEA", "AVERAGE"):  # AVERAGE: CBC ciphers, not AEAD
    if not finding("cipherlist_" + cat).startswith("not offered"):
        problems.append(f"cipherlist_{cat} must not be offered: {finding('cipherlist_' + cat)}")
if not finding("cipherlist_STRONG").startswith("offered"):
    problems.append("no AEAD cipher offered: " + finding("cipherlist_STRONG"))
if not finding("PFS").startswith("offered"):
    problems.append("forward secrecy not offered: " + finding("PFS"))
ciphers = [f for f in findings if f["id"].startswith("cipher_x")]
if not ciphers:
    problems.append("testssl listed no offered cipher")
for f in ciphers:
    cols = f["finding"].split()
    if not any(a in cols for a in AEAD):
        problems.append("not an AEAD cipher: " + f["finding"])
    if cols[2] not in ("ECDH", "DH"):  # TLS 1.3 suites always use (EC)DHE; testssl shows the key exchange here
        problems.append("no forward secrecy: " + f["finding"])

print(f"protocols: TLS1 {finding('TLS1')}, TLS1_1 {finding('TLS1_1')}, TLS1_2 {finding('TLS1_2')}, TLS1_3 {finding('TLS1_3')}")
print("ciphers:   " + ", ".join(f["finding"].split()[1] for f in ciphers) + "; forward secrecy " + finding("PFS"))
if problems:
    print("\nFAILED:\n  " + "\n  ".join(problems))
    sys.exit(1)
print("testssl: no finding of severity LOW or above outside the allow-list; TLS 1.0/1.1 off; AEAD only; forward secrecy")
EOF
