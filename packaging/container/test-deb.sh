#!/usr/bin/env bash
# The package under real systemd: installs the .deb with apt in a freshly
# booted Debian 12 container (no Java in it) and checks what an operator and a
# device see, step by step (issue 4). Prints "N passed, M failed" last and exits
# non-zero if any step failed.
#
#   sudo packaging/container/test-deb.sh [path/to/securecmd_*_amd64.deb]
#
# Needs root, mmdebstrap, systemd-container (systemd-nspawn) and util-linux
# (nsenter). Each step is one function; a failing step is reported and the
# rest still run (later steps may then fail for the same reason).
set -euo pipefail
ct_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$ct_dir/lib.sh"

PORT=5000
DEVICE=/root/device          # the device's side: its key, certificate, and the server CA
SECRET=THIS_IS_THE_SECRET
SECRET2=THE_RELOADED_SECRET
# Client commands run inside the container, as on a device.
CLIENT="securecmd-client --port $PORT --ca $DEVICE/server_ca.pem"
MTLS_CLIENT="$CLIENT --cert $DEVICE/client.crt --key $DEVICE/client.key"

passed=0 failed=0
failed_names=()

fail() { echo "    $*" >&2; return 1; }

# run_step NAME: run step_NAME in a subshell with errexit on (not in an `if`,
# where bash would silently disable it), and count the result.
run_step() {
  local rc=0
  echo "--- $1"
  set +e
  ( set -e; "step_$1" )
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then echo "ok   $1"; passed=$((passed + 1))
  else echo "FAIL $1"; failed=$((failed + 1)); failed_names+=("$1"); fi
}

# wait_for SECONDS DESCRIPTION CMD...: poll CMD (on the host) until it succeeds.
wait_for() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after $limit s waiting for: $what" || return 1
    sleep 0.3
  done
}

unit_state() { ct_exec systemctl is-active "$1" 2>/dev/null || true; }
main_pid() { ct_exec systemctl show -p MainPID --value securecmd.service; }
get_reply() { ct_sh "$MTLS_CLIENT localhost GET_SECRET" 2>&1; }
# The running daemon has its startup archive mapped: the JVM maps the archive's regions from the file, so
# /proc/PID/maps names it; an archive the JVM rejects (missing, or made for other jars, JVM or flags: it
# then starts without one, silently) is unmapped again or never opened.
maps_archive() {
  local pid; pid=$(main_pid)
  [ "$pid" -gt 0 ] && ct_exec grep -q ' /usr/lib/securecmd/securecmdd.aot$' "/proc/$pid/maps"
}
reply_is() { [ "$(get_reply)" = "$1" ]; }

# 1. apt installs the package (its Depends come from the container's own
#    archive cache: there is no network), and the account, modes and units are
#    in place, without any Java on the system.
step_install() {
  ct_sh "apt-get install -y -q --no-install-recommends $CT_MOUNT/$(basename "$DEB") >/tmp/apt.log 2>&1" \
    || { ct_exec tail -20 /tmp/apt.log >&2; fail "apt-get install failed"; }
  ct_exec getent passwd securecmd >/dev/null || fail "no securecmd user"
  ct_exec getent group securecmd-admin >/dev/null || fail "no securecmd-admin group"
  [ "$(ct_exec stat -c '%U:%G %a' /etc/securecmd)" = "root:securecmd 750" ] || fail "/etc/securecmd: $(ct_exec stat -c '%U:%G %a' /etc/securecmd)"
  [ "$(ct_exec stat -c '%U:%G %a' /etc/securecmd/config.toml)" = "root:securecmd 640" ] || fail "config.toml mode"
  [ "$(ct_exec stat -c '%U %a' /var/lib/securecmd)" = "securecmd 700" ] || fail "/var/lib/securecmd: $(ct_exec stat -c '%U %a' /var/lib/securecmd)"
  ct_exec test -x /usr/sbin/securecmdd || fail "securecmdd not executable"
  if ct_sh 'command -v java || ls /usr/lib/jvm' >/dev/null 2>&1; then fail "a system Java is installed"; fi
  ct_exec test -e /lib/systemd/system/securecmd.socket || fail "no socket unit"
  # postinst made the startup archives (they are not in the package), quietly, and the daemon's launcher
  # maps its archive: -Xshare:on makes the JVM fail instead of silently starting without it.
  ct_exec test -s /usr/lib/securecmd/runtime/lib/server/classes.jsa || fail "postinst made no runtime CDS archive"
  ct_exec test -s /usr/lib/securecmd/securecmdd.aot || fail "postinst made no startup archive"
  if ct_exec grep -q 'startup archive' /tmp/apt.log; then fail "postinst reported: $(ct_exec grep 'startup archive' /tmp/apt.log)"; fi
  ct_sh 'SECURECMD_JAVA_OPTS=-Xshare:on /usr/sbin/securecmdd --version >/dev/null' || fail "the daemon cannot map its startup archive"
  ct_sh 'JAVA_TOOL_OPTIONS=-Xshare:on securecmdctl --help >/dev/null 2>&1' || fail "securecmdctl cannot map the runtime's CDS archive"
  # Nothing listens until the operator enables the socket (there are no keys yet).
  [ "$(ct_exec systemctl is-enabled securecmd.socket 2>/dev/null || true)" = disabled ] || fail "socket enabled on install"
  if ct_sh "ss -Htln 'sport = :$PORT' | grep -q ."; then fail "port $PORT listens right after install"; fi
}

# 2. A PKI made with the tutorial's openssl commands: a CA for the server, a CA
#    for devices, a server certificate for localhost/127.0.0.1, a device
#    certificate for "trusted-client". Private keys go where the service (and
#    nobody else) can read them.
step_pki() {
  # The tutorial's commands (scripts/tutorial-pki.sh, the repository's one copy, run inside the container
  # with its openssl): RSA-4096 CA, P-256 keys, CA-signed certificates with SAN IP (and DNS localhost).
  # The same CA issues the device certificate here (client_ca.pem = the CA).
  ct_sh "
    set -e
    mkdir -p /root/pki $DEVICE && cd /root/pki
    bash $CT_MOUNT/tutorial-pki.sh /root/pki --dns localhost
    cp ca.crt server_ca.pem
    cp ca.crt client_ca.pem
    install -o root -g securecmd -m 0644 server.crt client_ca.pem /etc/securecmd/
    install -o root -g securecmd -m 0640 server.key /etc/securecmd/
    install -m 0600 client.key $DEVICE/ && install -m 0644 client.crt server_ca.pem $DEVICE/
  " >/dev/null 2>&1 || fail "openssl PKI failed"
  ct_exec openssl verify -CAfile /root/pki/server_ca.pem /etc/securecmd/server.crt >/dev/null || fail "server cert does not verify"
}

# 3. A mutual-TLS configuration with one command; the daemon accepts it when
#    run as the service user (so it can read the key).
step_config() {
  ct_sh "cat > /etc/securecmd/config.toml" <<TOML
[server]
listen = "0.0.0.0:$PORT"

[tls]
certificate = "/etc/securecmd/server.crt"
private_key = "/etc/securecmd/server.key"
protocols = ["TLSv1.3"]

[clients]
auth = "required"
ca = "/etc/securecmd/client_ca.pem"
allow = ["trusted-client"]

[admin]
socket = "/run/securecmd/admin.sock"
group = "securecmd-admin"

[state]
directory = "/var/lib/securecmd"

[commands.GET_SECRET]
reply = "$SECRET"
allow = ["trusted-client"]
TOML
  ct_exec setpriv --reuid=securecmd --regid=securecmd --init-groups \
    /usr/sbin/securecmdd --config /etc/securecmd/config.toml --check-config \
    || fail "securecmdd --check-config rejects the test configuration"
}

# 4. systemd owns the port; the service starts on the first connection only.
step_socket_activation() {
  ct_exec systemctl enable --now securecmd.socket >/dev/null 2>&1 || fail "enable --now securecmd.socket failed"
  [ "$(unit_state securecmd.socket)" = active ] || fail "socket not active"
  ct_sh "ss -Htln 'sport = :$PORT' | grep -q LISTEN" || fail "nothing listens on $PORT"
  local s; s=$(unit_state securecmd.service)
  [ "$s" = inactive ] || fail "service is '$s' before the first connection (want inactive)"
  local r; r=$(get_reply) || true
  [ "$r" = "$SECRET" ] || fail "first request: got '$r'"
  [ "$(unit_state securecmd.service)" = active ] || fail "service not active after the first connection"
  maps_archive || fail "the daemon systemd started has not mapped its startup archive (/proc/$(main_pid)/maps)"
}

# 4b. When postinst cannot make the startup archive (here: a time limit nothing meets), the install
#     still succeeds, says so and how to retry, leaves no partial file, and the daemon serves without it;
#     make-startup-cache then puts it back.
step_startup_archive_fallback() {
  ct_sh "SECURECMD_CACHE_TIMEOUT=0.001 apt-get install -y -q --reinstall --no-install-recommends \
           $CT_MOUNT/$(basename "$DEB") >/tmp/reinstall.log 2>&1" \
    || { ct_exec tail -20 /tmp/reinstall.log >&2; fail "reinstall failed when the archive could not be made"; }
  ct_exec grep -q 'securecmd: no startup archive' /tmp/reinstall.log || fail "postinst did not say the archive is missing"
  ct_exec grep -q 'make-startup-cache' /tmp/reinstall.log || fail "postinst did not say how to retry"
  if ct_sh 'ls /usr/lib/securecmd/securecmdd.aot* 2>/dev/null | grep -q .'; then fail "an archive (or a partial one) is left"; fi
  ct_exec systemctl stop securecmd.service
  reply_is "$SECRET" || fail "no reply from a cold start without the archive"
  # the mapping check tells a daemon without its archive (the check in socket_activation can fail)
  if maps_archive; then fail "maps_archive finds an archive that does not exist"; fi
  ct_exec /usr/lib/securecmd/make-startup-cache || fail "make-startup-cache failed"
  ct_exec test -s /usr/lib/securecmd/securecmdd.aot || fail "make-startup-cache made no archive"
  ct_exec systemctl stop securecmd.service
  reply_is "$SECRET" || fail "no reply from a cold start with the new archive"
  maps_archive || fail "the daemon started after make-startup-cache has not mapped the new archive"
}

# 4c. The socket-activated cold start under this systemd, broken down (printed, not judged: the machine's
#     load decides the figures; docs/performance.md, "Cold start"), 5 times: a native client (openssl
#     s_client) connects at 0; systemd's timestamps of the unit (start job, exec, READY=1); the daemon's own
#     "startup:" line (main, READY=1) and "first connection" line; the reply as the client reads it. Each
#     start must have mapped its startup archive.
# cold_start_row: one socket-activated start of the stopped service by a device's connection; prints
# "start job .. exec .. main .. READY=1 .. (systemd: ..) handshake+policy .. reply .. ms", each in ms from the
# connection; fails (printing why) when the reply is not the secret. Also used by packaging/sandbox-cost.sh.
cold_start_row() {
  ct_exec systemctl stop securecmd.service || return 1
  # many starts within systemd's start limit (5 in 10 s by default): without this the sixth is refused and
  # securecmd.socket fails ("start-limit-hit"), taking every later step along
  ct_exec systemctl reset-failed securecmd.service securecmd.socket || return 1
  ct_sh '
    us() { date -d "$1" +%s%6N; }
    rm -f /tmp/s_client.out && mkfifo /tmp/s_client.out
    t0=$EPOCHREALTIME
    # -quiet ignores the end of stdin: the client waits for the reply, then is stopped
    echo GET_SECRET | openssl s_client -quiet -connect 127.0.0.1:'"$PORT"' -CAfile '"$DEVICE"'/server_ca.pem \
      -cert '"$DEVICE"'/client.crt -key '"$DEVICE"'/client.key -verify_return_error \
      >/tmp/s_client.out 2>/tmp/s_client.err &
    line=
    while [ -z "$line" ] && IFS= read -r -t 60 line; do :; done </tmp/s_client.out
    reply="$EPOCHREALTIME $line"
    kill $! 2>/dev/null || true
    t0=${t0/./}; tr=${reply%% *}; tr=${tr/./}
    [ "${reply#* }" = '"$SECRET"' ] || { echo "bad reply: $reply $(tail -n3 /tmp/s_client.err)"; exit 1; }
    show() { us "$(systemctl show -p "$1" --value --timestamp=us+utc securecmd.service)"; }
    line=$(journalctl -u securecmd.service -o cat --no-pager | grep "startup: .*ready at" | tail -n1 || true)
    first=$(journalctl -u securecmd.service -o cat --no-pager | grep "startup: first connection" | tail -n1 || true)
    main=$(sed -n "s/.*main at \([0-9]*\) ms.*/\1/p" <<<"$line")
    ready=$(sed -n "s/.*ready at \([0-9]*\) ms after main.*/\1/p" <<<"$line")
    hs=$(sed -n "s/.* at \([0-9]*\) ms after main.*/\1/p" <<<"$first")
    ms() { echo $(( ($1 - t0) / 1000 )); }
    # a daemon without the startup lines (an older package) shows only the outside figures
    inside() { if [ -n "$main" ] && [ -n "$1" ]; then echo $(( main + $1 - t0 / 1000 )); else echo -; fi; }
    echo "start job $(ms "$(show InactiveExitTimestamp)") exec $(ms "$(show ExecMainStartTimestamp)")" \
      "main $(inside 0) READY=1 $(inside "$ready") (systemd: $(ms "$(show ActiveEnterTimestamp)"))" \
      "handshake+policy $(inside "$hs") reply $(ms "$tr") ms"
  '
}

step_cold_start_breakdown() {
  local i row rows=()
  for i in 1 2 3 4 5; do
    row=$(cold_start_row) \
      || fail "cold start $i: $row; $(ct_exec systemctl status --no-pager securecmd.socket securecmd.service 2>&1 | tail -n 12)"
    echo "    $row"
    rows+=("${row##* reply }")
    maps_archive || fail "cold start $i: the daemon has not mapped its startup archive"
  done
  echo "    median reply: $(printf '%s\n' "${rows[@]}" | sort -n | sed -n 3p)"
  ct_exec journalctl -u securecmd.service -o cat --no-pager | grep 'startup: ' | tail -n2 | sed 's/^/    /' || true
}

# 5. A client without a certificate gets no secret and a non-zero exit.
step_no_cert_refused() {
  local out rc=0
  out=$(ct_sh "$CLIENT localhost GET_SECRET" 2>&1) || rc=$?
  [ "$rc" -ne 0 ] || fail "client without certificate exited 0"
  if grep -q "$SECRET" <<<"$out"; then fail "client without certificate got the secret"; fi
  reply_is "$SECRET" || fail "server no longer serves after the refused handshake"
}

# 6. The admin socket: root may, an ordinary user may not.
step_ctl_permissions() {
  ct_exec securecmdctl status >/dev/null || fail "securecmdctl status failed as root"
  ct_exec id sctest >/dev/null 2>&1 || ct_exec adduser --disabled-password --gecos "" --quiet sctest
  if ct_as sctest 'securecmdctl status' >/dev/null 2>&1; then fail "securecmdctl status succeeded for an unprivileged user"; fi
}

# 7. Reload picks up a changed reply; "systemctl reload" returns once the reload is done (it goes
#    through securecmdctl), so the next request sees it.
step_reload() {
  ct_exec sed -i "s/reply = \"$SECRET\"/reply = \"$SECRET2\"/" /etc/securecmd/config.toml
  ct_exec systemctl reload securecmd.service || fail "systemctl reload failed"
  reply_is "$SECRET2" || fail "right after systemctl reload: got '$(get_reply)' (want '$SECRET2')"
  ct_exec securecmdctl status | grep -q '^last reload: OK at ' || fail "status does not say the reload succeeded"
}

# 8. A broken config on reload: "systemctl reload" fails, status, STATUS= and the metrics say why, the old
#    generation keeps serving; once fixed, the reload succeeds. SIGHUP still reloads (without the exit code).
step_reload_broken_keeps_old() {
  ct_exec cp /etc/securecmd/config.toml /root/config.good
  ct_sh "printf '[tls\nthis is not toml\n' > /etc/securecmd/config.toml"
  local rc=0; ct_exec systemctl reload securecmd.service >/dev/null 2>&1 || rc=$?
  local r; r=$(get_reply) || true
  local status; status=$(ct_exec securecmdctl status 2>&1) || true
  local text; text=$(ct_exec systemctl show -p StatusText --value securecmd.service)
  local metrics; metrics=$(ct_exec securecmdctl metrics 2>&1) || true
  ct_exec cp /root/config.good /etc/securecmd/config.toml
  [ "$rc" -ne 0 ] || fail "systemctl reload of a broken config exited 0"
  [ "$(unit_state securecmd.service)" = active ] || fail "service not active after a broken reload"
  [ "$r" = "$SECRET2" ] || fail "after a broken reload: got '$r' (want the old reply)"
  grep -q '^last reload: FAILED at .*/etc/securecmd/config.toml:' <<<"$status" || fail "status lacks the error: $status"
  grep -q '; last reload FAILED at .*/etc/securecmd/config.toml:' <<<"$text" || fail "STATUS= lacks the error: $text"
  grep -q '^securecmd_last_reload_success 0$' <<<"$metrics" || fail "securecmd_last_reload_success is not 0"
  ct_exec journalctl -u securecmd.service --no-pager -o cat | grep -q 'reload: .*/etc/securecmd/config.toml:' \
    || fail "the journal lacks securecmdctl's error line"

  ct_exec systemctl reload securecmd.service || fail "systemctl reload of the fixed config failed"
  ct_exec securecmdctl status | grep -q '^last reload: OK at ' || fail "status does not say the reload succeeded"
  ct_exec securecmdctl metrics | grep -q '^securecmd_last_reload_success 1$' || fail "securecmd_last_reload_success is not 1"
  ct_exec sed -i "s/reply = \"$SECRET2\"/reply = \"$SECRET\"/" /etc/securecmd/config.toml
  ct_exec kill -HUP "$(main_pid)" || fail "kill -HUP failed"
  wait_for 20 "the reply reloaded by SIGHUP" reply_is "$SECRET"
  ct_exec sed -i "s/reply = \"$SECRET\"/reply = \"$SECRET2\"/" /etc/securecmd/config.toml
  ct_exec systemctl reload securecmd.service || fail "systemctl reload failed"
}

# 9. Restart while clients keep coming: the socket stays with systemd, so no
#    request fails. The load is bounded (a fixed number of requests).
step_restart_under_load() {
  local n=30
  ct_sh "rm -f /tmp/load.out; for i in \$(seq $n); do
           r=\$($MTLS_CLIENT localhost GET_SECRET 2>&1) && [ \"\$r\" = $SECRET2 ] && echo ok || echo \"FAIL \$r\"
         done > /tmp/load.out" &
  local load=$!
  wait_for 60 "the first requests of the load" ct_sh '[ "$(grep -c ok /tmp/load.out)" -ge 3 ]'
  ct_exec systemctl restart securecmd.service || fail "restart failed"
  local deadline=$((SECONDS + 180))
  while kill -0 "$load" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { kill "$load"; fail "load did not finish within 180 s"; }
    sleep 0.5
  done
  wait "$load" || true
  local ok bad
  ok=$(ct_exec grep -c '^ok' /tmp/load.out || true)
  bad=$(ct_exec grep -c '^FAIL' /tmp/load.out || true)
  echo "    $ok ok, $bad failed of $n"
  if [ "$bad" -ne 0 ] || [ "$ok" -ne "$n" ]; then
    ct_exec grep FAIL /tmp/load.out | head -5 >&2
    fail "requests failed across the restart"
  fi
}

# 10. kill -9: systemd starts a new daemon and clients are served again.
step_kill9_restarts() {
  local old; old=$(main_pid)
  [ "$old" -gt 0 ] || fail "service has no main PID"
  ct_exec kill -9 "$old"
  wait_for 30 "a new main PID" bash -c "p=\$(nsenter -t $CT_LEADER -a systemctl show -p MainPID --value securecmd.service); [ \"\$p\" -gt 0 ] && [ \"\$p\" != $old ]"
  wait_for 30 "a reply after kill -9" reply_is "$SECRET2"
}

# 11. The journal has the audit lines and no warnings from the JVM or from systemd about the unit
#     (StateDirectoryMode= differing from the directory the postinst made); no core dumps.
step_journal() {
  local log; log=$(ct_exec journalctl -u securecmd.service --no-pager -o cat)
  grep -q 'trusted-client' <<<"$log" || fail "no audit line naming trusted-client in the journal"
  grep -q 'GET_SECRET' <<<"$log" || fail "no audit line with the verb GET_SECRET"
  if grep -E '^WARNING:|\[warning\]|VM warning|Picked up (JAVA_TOOL|JDK_JAVA)' <<<"$log" >&2; then fail "Java warnings in the journal (above)"; fi
  if grep -q "$SECRET" <<<"$log"; then fail "a secret value appears in the journal"; fi
  if grep 'already exists but the mode is different' <<<"$log" | sort -u >&2; then fail "a *DirectoryMode= of the unit and the postinst disagree (above)"; fi
  [ "$(ct_exec stat -c '%a' /var/lib/securecmd)" = 700 ] || fail "/var/lib/securecmd is $(ct_exec stat -c '%a' /var/lib/securecmd) after the starts"
  [ "$(ct_exec systemctl show -p LimitCORE --value securecmd.service)" = 0 ] || fail "LimitCORE is not 0"
}

# 12. Purge: no process, no unit, no account, no data, nothing listening.
step_purge() {
  ct_sh 'apt-get purge -y -q securecmd >/tmp/purge.log 2>&1' || { ct_exec tail -20 /tmp/purge.log >&2; fail "apt-get purge failed"; }
  if ct_exec pgrep -f securecmdd >/dev/null; then fail "a securecmdd process survived the purge"; fi
  if ct_sh 'ls /lib/systemd/system/securecmd.* /etc/systemd/system/*/securecmd.* 2>/dev/null | grep -q .'; then fail "unit files or links left"; fi
  local units; units=$(ct_exec systemctl list-units --all --no-legend --plain "securecmd*" | grep -v " not-found " || true)
  [ -z "$units" ] || fail "units still loaded: $units"
  if ct_exec getent passwd securecmd >/dev/null; then fail "user securecmd left"; fi
  if ct_exec test -e /var/lib/securecmd; then fail "/var/lib/securecmd left"; fi
  if ct_exec test -e /etc/securecmd; then fail "/etc/securecmd left"; fi
  if ct_exec test -e /usr/lib/securecmd; then fail "/usr/lib/securecmd left"; fi
  if ct_sh "ss -Htln 'sport = :$PORT' | grep -q ."; then fail "port $PORT still listening"; fi
}

STEPS=(install pki config socket_activation startup_archive_fallback cold_start_breakdown no_cert_refused ctl_permissions reload
       reload_broken_keeps_old restart_under_load kill9_restarts journal purge)

main() {
  DEB=${1:-$(ls "$ct_dir"/../target/securecmd_*_amd64.deb 2>/dev/null | tail -n1)}
  [ -f "${DEB:-}" ] || { echo "test-deb.sh: no .deb given and none in packaging/target (run mvn package)" >&2; exit 2; }
  local share; share=$(mktemp -d)
  CT_AT_EXIT="rm -rf '$share'"
  cp "$DEB" "$ct_dir/../../scripts/tutorial-pki.sh" "$share/"
  echo "test-deb.sh: $(basename "$DEB")"
  ct_boot "$("$ct_dir/rootfs.sh")" "$share"
  local s
  for s in "${STEPS[@]}"; do run_step "$s"; done
  [ "$failed" -eq 0 ] || echo "failed: ${failed_names[*]}"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# Run only when executed; bench.sh sources this file for its install/PKI/config steps.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
