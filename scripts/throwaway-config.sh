#!/usr/bin/env bash
# throwaway-config.sh NAME PORT SECRET [SERVER_LINES]: prints a daemon config for the files that
# tutorial-pki.sh writes (mutual TLS, only "trusted-client", one GET_SECRET). NAME keeps each daemon's
# admin socket and state apart when several share a directory; SERVER_LINES are extra [server] keys.
# Used by the demo, bench/run.sh, scripts/testssl.sh and the package's AOT training run.
set -euo pipefail
cat <<EOF
[server]
listen = "127.0.0.1:$2"
${4:-}
[tls]
certificate = "server.crt"
private_key = "server.key"
[clients]
auth = "required"
ca = "ca.crt"
allow = ["trusted-client"]
[admin]
socket = "$1-admin.sock"
[state]
directory = "$1-state"
[commands.GET_SECRET]
reply = "$3"
allow = ["trusted-client"]
EOF
