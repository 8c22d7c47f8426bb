#!/usr/bin/env bash
# A securecmd device made only of tpm2-tools (5.4), OpenSSL 3 with its TPM provider (tpm2-openssl) and
# one raw TPM2_Certify: it enrolls through the documented verbs and sends TPM quotes (docs/protocol.md, "A
# device in any language: tpm2-tools and OpenSSL"), to show that the wire format needs nothing of ours. Not the
# supported client (that is `securecmd-client enroll`); a reference and a test fixture.
#
# Usage (every field on the wire is standard base64 with padding, no line breaks):
#   tpm2-device.sh enroll HOST PORT CA_FILE DIR
#       Makes the keys (as `keys`), connects without a certificate (the server verified with CA_FILE),
#       sends ENROLL and ENROLL-PROOF on one connection and writes the issued certificate to DIR/cert.pem,
#       the issuing CA's certificates (those not self-signed, as RENEW's reply) to DIR/chain.pem.
#       Exit 0: enrolled; 1: the server answered ERR (printed; ERR PENDING: run it again after approval);
#       3: a TPM or TLS failure; 4: the server cannot be reached (as securecmd-client).
#   tpm2-device.sh quote-then HOST PORT CA_FILE DIR PCRS COMMAND [ARGS...]
#       Mutual TLS with DIR/cert.pem (and DIR/chain.pem) and the TPM key (OpenSSL's tpm2 provider,
#       handle:$KEY_HANDLE), then NONCE, QUOTE over PCRS of the SHA-256 bank (e.g. 0,2,7) with the AK,
#       then COMMAND on the same connection. Prints the QUOTE reply and the command's reply, one line each. Exit 0 when both are
#       not ERR, 1 otherwise, 3 on a TPM or TLS failure, 4 when the server cannot be reached.
#   tpm2-device.sh command HOST PORT CA_FILE DIR COMMAND [ARGS...]
#       Mutual TLS as above, one command, its reply printed.
# The steps, each usable alone (what the tests drive):
#   keys DIR                 EK certificate (NV) and EK public area to DIR/ek.der, DIR/ek.pub; a new AK under
#                            the EK (DIR/ak.pub, persisted at $AK_HANDLE); a storage primary ($PRIMARY_HANDLE)
#                            and a TLS key made inside the TPM (DIR/tls.pub, persisted at $KEY_HANDLE)
#   activate DIR BLOB SECRET TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET (base64) -> the secret (base64)
#   csr DIR                  a PKCS#10 CSR signed by the TPM key through the tpm2 provider -> DIR/csr.der
#   certify DIR NONCE        raw TPM2_Certify of the TLS key by the AK, qualifyingData = NONCE (base64)
#                            -> "<TPMS_ATTEST> <TPMT_SIGNATURE>" (base64)
#   quote DIR NONCE PCRS     TPM2_Quote by the AK -> "<TPMS_ATTEST> <TPMT_SIGNATURE> <PCR values>" (base64)
#
# Environment:
#   TPM2TOOLS_TCTI   the TPM (default: tpm2-tools' own, /dev/tpmrm0); e.g. swtpm:host=127.0.0.1,port=2321.
#                    The tpm2 provider is given the same one (TPM2OPENSSL_TCTI).
#   EK               rsa (default: RSA-2048 EK at 0x81010001, certificate in NV 0x01c00002) or ecc (swtpm's
#                    P-384 EK at 0x81010016, certificate in NV 0x01c00016); EK_HANDLE and EK_NV override.
#   AK_HANDLE        persistent handle for the AK (default 0x81018010)
#   PRIMARY_HANDLE   persistent handle for the storage primary (default 0x81000010)
#   KEY_HANDLE       persistent handle for the TLS key (default 0x81000011)
#   CN               the common name the CSR asks for (default: the host name; the server ignores it and
#                    issues the registered or approved name)
#   FLUSH            yes: flush transient objects and sessions after each step (the default without a resource
#                    manager, i.e. unless TPM2TOOLS_TCTI is tabrmd:... or names /dev/tpmrm*), no: leave them
# Persistent handles taken by an earlier run are replaced.
set -euo pipefail
# A write to s_client after it has gone (connection refused, closed by the server) fails and is reported,
# instead of killing the script with SIGPIPE.
trap '' PIPE

EK=${EK:-rsa}
case "$EK" in
  rsa) EK_HANDLE=${EK_HANDLE:-0x81010001}; EK_NV=${EK_NV:-0x01c00002} ;;
  ecc) EK_HANDLE=${EK_HANDLE:-0x81010016}; EK_NV=${EK_NV:-0x01c00016} ;;
  *) echo "tpm2-device: EK must be rsa or ecc, not '$EK'" >&2; exit 2 ;;
esac
AK_HANDLE=${AK_HANDLE:-0x81018010}
PRIMARY_HANDLE=${PRIMARY_HANDLE:-0x81000010}
KEY_HANDLE=${KEY_HANDLE:-0x81000011}
CN=${CN:-${HOSTNAME:-device}}
if [[ -n "${TPM2TOOLS_TCTI:-}" ]]; then export TPM2OPENSSL_TCTI=${TPM2OPENSSL_TCTI:-$TPM2TOOLS_TCTI}; fi
# TCG EK Credential Profile, high-range templates (SHA-384): the EK's authPolicy is PolicyOR(PolicyA, PolicyC),
# PolicyA = PolicySecret(TPM_RH_ENDORSEMENT), PolicyC = PolicyAuthorizeNV(0x01c07f02).
POLICY_A_SHA384=8bbf2266537c171cb56e403c4dc1d4b64f432611dc386e6f532050c3278c930e143e8bb1133824ccb431053871c6db53
POLICY_C_SHA384=d6032ce61f2fb3c240eb3cf6a33237ef2b6a16f4293c22b455e261cffd217ad5b4947c2d73e63005eed2dc2b3593d165

die() { echo "tpm2-device: $*" >&2; exit 3; }
b64() { base64 -w0 "$1"; }                      # file -> one-line base64
unb64() { printf '%s' "$1" | base64 -d > "$2" || die "not base64: ${1:0:40}..."; }
hex() { xxd -p "$1" | tr -d '\n'; }             # file -> hex
unhex() { printf '%s' "$1" | xxd -r -p > "$2"; }
tpm() { "$@" >/dev/null || die "$1 failed"; }   # a tpm2-tools step; its errors on stderr
# Without a resource manager (swtpm's or mssim's TCP port, /dev/tpm0) every tool run leaves its transient
# objects and sessions loaded: flush them. Behind one (/dev/tpmrm0, tpm2-abrmd) each connection's objects go
# with it, and flushing sessions that belong to other clients is refused (tpm2-abrmd 3.0 even crashes on it).
case "${TPM2TOOLS_TCTI:-device:/dev/tpmrm0}" in
  tabrmd*|*tpmrm*) FLUSH=${FLUSH:-no} ;;
  *) FLUSH=${FLUSH:-yes} ;;
esac
flush() {
  [[ "$FLUSH" == yes ]] || return 0
  tpm2_flushcontext -t >/dev/null 2>&1 || true
  tpm2_flushcontext -s >/dev/null 2>&1 || true
}

# Makes the object in context file $1 persistent at $2, replacing whatever was there.
persist() {
  if tpm2_readpublic -c "$2" >/dev/null 2>&1; then tpm tpm2_evictcontrol -C o -c "$2"; fi
  tpm tpm2_evictcontrol -C o -c "$1" "$2"
  flush
}

keys() {
  local d=$1
  mkdir -p "$d"
  flush
  tpm tpm2_nvread "$EK_NV" -C o -o "$d/ek.der"
  tpm tpm2_readpublic -c "$EK_HANDLE" -o "$d/ek.pub"
  # The AK is a child of the EK, so its qualifiedSigner ties it to this EK (the server checks that).
  tpm tpm2_createak -C "$EK_HANDLE" -c "$d/ak.ctx" -G ecc256 -g sha256 -s ecdsa \
    -u "$d/ak.pub" -n "$d/ak.name" -r "$d/ak.priv"
  persist "$d/ak.ctx" "$AK_HANDLE"
  tpm tpm2_createprimary -C o -g sha256 -G ecc256 -c "$d/primary.ctx"
  persist "$d/primary.ctx" "$PRIMARY_HANDLE"
  # Made inside the TPM (sensitivedataorigin), never leaves it (fixedtpm|fixedparent), signs only.
  tpm tpm2_create -C "$PRIMARY_HANDLE" -G ecc256 -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign' \
    -u "$d/tls.pub" -r "$d/tls.priv"
  flush
  tpm tpm2_load -C "$PRIMARY_HANDLE" -u "$d/tls.pub" -r "$d/tls.priv" -c "$d/tls.ctx"
  persist "$d/tls.ctx" "$KEY_HANDLE"
  rm -f "$d"/*.ctx
}

# activate DIR ID_OBJECT ENCRYPTED_SECRET: TPM2_ActivateCredential with the EK's policy session.
activate() {
  local d=$1
  unb64 "$2" "$d/idobject.bin"
  unb64 "$3" "$d/encsecret.bin"
  # tpm2-tools' credential file: magic BADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
  { printf '\xba\xdc\xc0\xde\x00\x00\x00\x01'; cat "$d/idobject.bin" "$d/encsecret.bin"; } > "$d/cred.bin"
  flush
  # The EK's nameAlg (bytes 4-5 of its TPM2B_PUBLIC) says which template: 000c = high range, SHA-384.
  if [[ "$(hex "$d/ek.pub" | cut -c9-12)" == 000c ]]; then
    unhex "$POLICY_A_SHA384" "$d/policya.bin"
    unhex "$POLICY_C_SHA384" "$d/policyc.bin"
    tpm tpm2_startauthsession --policy-session -g sha384 -S "$d/session.ctx"
    tpm tpm2_policysecret -S "$d/session.ctx" -c e
    tpm tpm2_policyor -S "$d/session.ctx" -l "sha384:$d/policya.bin,$d/policyc.bin"
  else
    tpm tpm2_startauthsession --policy-session -S "$d/session.ctx"
    tpm tpm2_policysecret -S "$d/session.ctx" -c e
  fi
  local rc=0
  tpm2_activatecredential -c "$AK_HANDLE" -C "$EK_HANDLE" -i "$d/cred.bin" -o "$d/activated.bin" \
    -P "session:$d/session.ctx" >/dev/null || rc=$?
  tpm2_flushcontext "$d/session.ctx" >/dev/null 2>&1 || true  # this session, with or without a resource manager
  flush
  rm -f "$d/session.ctx"
  [[ $rc == 0 ]] || die "tpm2_activatecredential failed"
  b64 "$d/activated.bin"
}

csr() {
  local d=$1
  openssl req -new -provider tpm2 -provider default -propquery "tpm2.digest!=yes" -key "handle:$KEY_HANDLE" \
    -subj "/CN=$CN" -sha256 -outform DER -out "$d/csr.der" || die "openssl req with the TPM key failed"
  flush
}

# certify DIR NONCE: TPM2_Certify built by hand, since tpm2-tools 5.4's tpm2_certify has no qualifyingData.
certify() {
  local d=$1 nonce
  unb64 "$2" "$d/nonce.bin"
  nonce=$(hex "$d/nonce.bin")
  local n=$(( ${#nonce} / 2 ))
  # Two password sessions (TPM_RS_PW 40000009, empty nonce, attributes 00, empty hmac): 9 bytes each.
  local pw=400000090000000000
  local auth="${pw}${pw}"
  local body
  body="${KEY_HANDLE#0x}${AK_HANDLE#0x}$(printf '%08x' 18)${auth}$(printf '%04x' "$n")${nonce}0010"
  local size=$(( 10 + ${#body} / 2 ))
  unhex "8002$(printf '%08x' "$size")00000148${body}" "$d/certify.cmd"
  flush
  tpm2_send -o "$d/certify.rsp" < "$d/certify.cmd" 2>/dev/null || die "tpm2_send of TPM2_Certify failed"
  local r
  r=$(hex "$d/certify.rsp")
  [[ "${r:12:8}" == 00000000 ]] || die "TPM2_Certify returned TPM_RC 0x${r:12:8}"
  # Response: tag, size, rc (10 bytes), u32 parameterSize, TPM2B_ATTEST certifyInfo, TPMT_SIGNATURE, sessions.
  local params=$(( 16#${r:20:8} ))
  local p=${r:28:$(( params * 2 ))}
  local alen=$(( 16#${p:0:4} ))
  unhex "${p:4:$(( alen * 2 ))}" "$d/certify.attest"
  unhex "${p:$(( 4 + alen * 2 ))}" "$d/certify.sig"
  echo "$(b64 "$d/certify.attest") $(b64 "$d/certify.sig")"
}

# quote DIR NONCE PCRS: TPM2_Quote by the AK over sha256:PCRS; -F values writes the values plainly.
quote() {
  local d=$1
  unb64 "$2" "$d/qnonce.bin"
  flush
  tpm tpm2_quote -c "$AK_HANDLE" -l "sha256:$3" -q "$(hex "$d/qnonce.bin")" -g sha256 \
    -m "$d/quote.attest" -s "$d/quote.sig" -o "$d/quote.pcrs" -F values
  flush
  echo "$(b64 "$d/quote.attest") $(b64 "$d/quote.sig") $(b64 "$d/quote.pcrs")"
}

# Opens the TLS connection as a coproc SERVER (lines in, one reply line each). $1 HOST, $2 PORT, $3 CA file,
# then extra s_client options (the client certificate and key for mutual TLS).
connect() {
  local host=$1 port=$2 ca=$3 check
  shift 3
  local address=$host:$port
  if [[ "$host" == *:* ]]; then address="[$host]:$port"; fi
  check=(-verify_hostname "$host")
  if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then check=(-verify_ip "$host"); fi
  coproc SERVER { exec openssl s_client -connect "$address" -CAfile "$ca" -verify_return_error "${check[@]}" \
    -quiet -nocommands "$@" 2>"$STATE/s_client.err"; }
}

# request LINE: sends one line, reads one reply line into REPLY.
request() {
  # bash unsets SERVER once s_client has ended: an empty descriptor fails like a closed one.
  { printf '%s\n' "$1" >&"${SERVER[1]:-}"; } 2>/dev/null || lost "the connection is closed"
  REPLY=
  { IFS= read -r -t "${REPLY_TIMEOUT:-120}" REPLY <&"${SERVER[0]:-}"; } 2>/dev/null || lost "no reply to ${1%% *}"
  REPLY=${REPLY%$'\r'}
}

# The connection failed: exit 4 when the server could not be reached (as securecmd-client), else 3 (TLS).
lost() {
  local err
  err=$(tail -4 "$STATE/s_client.err" 2>/dev/null || true)
  if grep -qiE 'connect:errno|connection refused|no route to host|Name or service not known|timed out' <<< "$err"; then
    echo "tpm2-device: $1: cannot reach the server: $err" >&2
    exit 4
  fi
  die "$1: $err"
}

hangup() {
  if [[ -n "${SERVER_PID:-}" ]]; then
    if [[ -n "${SERVER[1]:-}" ]]; then exec {SERVER[1]}>&- 2>/dev/null || true; fi
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}

refused() { echo "$REPLY"; hangup; exit 1; }

enroll() {
  local host=$1 port=$2 ca=$3 d=$4
  STATE=$d
  keys "$d"
  connect "$host" "$port" "$ca"
  trap hangup EXIT
  request "ENROLL $(b64 "$d/ek.der") $(b64 "$d/ek.pub") $(b64 "$d/ak.pub")"
  [[ "$REPLY" != ERR* ]] || refused
  local f
  read -r -a f <<< "$REPLY"
  [[ ${#f[@]} == 3 ]] || die "ENROLL reply is not three fields: ${REPLY:0:80}"
  local secret attest
  secret=$(activate "$d" "${f[0]}" "${f[1]}")
  csr "$d"
  attest=$(certify "$d" "${f[2]}")
  request "ENROLL-PROOF $secret $(b64 "$d/csr.der") $(b64 "$d/tls.pub") $attest"
  [[ "$REPLY" != ERR* ]] || refused
  # The reply: the leaf, then the issuing CA's certificates that are not self-signed.
  : > "$d/cert.pem"
  : > "$d/chain.pem"
  local out=$d/cert.pem
  for f in $REPLY; do
    printf '%s' "$f" | base64 -d | openssl x509 -inform DER >> "$out" || die "reply is not a chain: ${REPLY:0:80}"
    out=$d/chain.pem
  done
  echo "enrolled: $(openssl x509 -in "$d/cert.pem" -noout -subject)"
}

mtls() {
  local host=$1 port=$2 ca=$3 d=$4
  STATE=$d
  [[ -s "$d/cert.pem" ]] || die "$d/cert.pem is missing: enroll first"
  local chain=()
  if [[ -s "$d/chain.pem" ]]; then chain=(-cert_chain "$d/chain.pem"); fi
  # Digests from the default provider: the tpm2 provider's run as TPM hash sequences, one TPM object each,
  # and a TLS handshake holds several at once (without a resource manager: 0x902, out of object memory).
  # Signing with the TPM key stays in the tpm2 provider, which comes first.
  connect "$host" "$port" "$ca" -provider tpm2 -provider default -propquery "tpm2.digest!=yes" \
    -cert "$d/cert.pem" "${chain[@]}" -key "handle:$KEY_HANDLE"
  trap hangup EXIT
}

quote_then() {
  local host=$1 port=$2 ca=$3 d=$4 pcrs=$5
  shift 5
  mtls "$host" "$port" "$ca" "$d"
  request NONCE
  [[ "$REPLY" != ERR* ]] || refused
  local evidence
  evidence=$(quote "$d" "$REPLY" "$pcrs")
  request "QUOTE $evidence"
  echo "$REPLY"
  local quoted=$REPLY
  request "$*"
  echo "$REPLY"
  [[ "$quoted" != ERR* && "$REPLY" != ERR* ]] || { hangup; exit 1; }
}

command_() {
  local host=$1 port=$2 ca=$3 d=$4
  shift 4
  mtls "$host" "$port" "$ca" "$d"
  request "$*"
  echo "$REPLY"
  [[ "$REPLY" != ERR* ]] || { hangup; exit 1; }
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 ]] || usage
cmd=$1
shift
case "$cmd" in
  keys) [[ $# == 1 ]] || usage; keys "$1" ;;
  activate) [[ $# == 3 ]] || usage; activate "$@"; echo ;;
  csr) [[ $# == 1 ]] || usage; csr "$1" ;;
  certify) [[ $# == 2 ]] || usage; certify "$@" ;;
  quote) [[ $# == 3 ]] || usage; quote "$@" ;;
  enroll) [[ $# == 4 ]] || usage; enroll "$@" ;;
  quote-then) [[ $# -ge 6 ]] || usage; quote_then "$@" ;;
  command) [[ $# -ge 5 ]] || usage; command_ "$@" ;;
  *) usage ;;
esac
