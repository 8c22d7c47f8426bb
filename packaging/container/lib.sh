# shellcheck shell=bash
# Boot a throw-away Debian container with real systemd and run commands in it.
# Sourced by the container tests; needs root, systemd-nspawn (systemd-container)
# and nsenter (util-linux).
#
#   . packaging/container/lib.sh
#   ct_boot "$(packaging/container/rootfs.sh)" /dir/to/share   # shared read-only at /mnt/host
#   ct_exec systemctl is-system-running
#   ct_sh 'apt-get install -y /mnt/host/foo.deb'
#   # ct_shutdown runs on exit by itself
#
# The cached root filesystem is never written: nspawn's --volatile=overlay puts
# a tmpfs overlay over it, so every boot starts from the same clean tree and
# everything the test did is gone when the container stops.

CT_NSPAWN_PID=""
CT_LEADER=""
CT_LOG=""
CT_AT_EXIT=${CT_AT_EXIT:-}   # the caller's own cleanup, run after the container stops
CT_MOUNT=/mnt/host

ct_die() { echo "container: $*" >&2; exit 1; }

# ct_boot ROOTFS [SHARE_DIR]: start systemd in the tree, wait until it has booted.
ct_boot() {
  local rootfs=$1 share=${2:-}
  local -a args=(-D "$rootfs" -b --register=no --keep-unit --volatile=overlay
                 --private-network --machine="sctest-$$" --quiet)
  [ -n "$share" ] && args+=(--bind-ro="$share:$CT_MOUNT")
  CT_LOG=$(mktemp /tmp/securecmd-nspawn-XXXXXX.log)
  # --register=no/--keep-unit: the host need not run systemd (CI runners often
  # don't), so do not talk to machined and do not create a scope unit.
  # stdin from /dev/null: nspawn must not grab the terminal of whoever runs us.
  systemd-nspawn "${args[@]}" </dev/null >"$CT_LOG" 2>&1 &
  CT_NSPAWN_PID=$!
  # Always power the container off, then run the caller's own cleanup (CT_AT_EXIT).
  trap 'ct_shutdown; eval "${CT_AT_EXIT:-:}"' EXIT
  ct_find_leader 30
  ct_wait_booted 120
}

# The leader is the container's PID 1: systemd, a direct child of nspawn.
ct_find_leader() {
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$CT_NSPAWN_PID" 2>/dev/null || { cat "$CT_LOG" >&2; ct_die "systemd-nspawn exited during boot"; }
    CT_LEADER=$(pgrep -P "$CT_NSPAWN_PID" -x systemd || true)
    [ -n "$CT_LEADER" ] && return 0
    sleep 0.2
  done
  cat "$CT_LOG" >&2
  ct_die "no systemd inside the container after $1 s"
}

# "running" or "degraded" (some unit failed; the tests still have a working
# systemd) both mean the boot is finished.
ct_wait_booted() {
  local deadline=$((SECONDS + $1)) state=""
  while [ $SECONDS -lt $deadline ]; do
    state=$(ct_exec systemctl is-system-running 2>/dev/null || true)
    case $state in running|degraded) return 0 ;; esac
    sleep 0.5
  done
  ct_exec systemctl --failed --no-pager >&2 || true
  ct_die "container did not finish booting within $1 s (state: ${state:-unknown})"
}

# ct_exec CMD...: run a command inside all of the container's namespaces with
# a clean environment (nothing of the host's leaks in).
ct_exec() {
  nsenter -t "$CT_LEADER" -a \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root TERM=dumb \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# ct_sh SCRIPT: run a shell snippet inside (strict mode).
ct_sh() { ct_exec bash -euo pipefail -c "$1"; }

# ct_as USER SCRIPT: run a shell snippet inside as an unprivileged user.
ct_as() { ct_exec setpriv --reuid="$1" --regid="$1" --init-groups bash -euo pipefail -c "$2"; }

# Power off (SIGRTMIN+4 asks systemd for a clean poweroff), bounded; kill if stuck.
ct_shutdown() {
  [ -n "$CT_NSPAWN_PID" ] || return 0
  local deadline=$((SECONDS + 30))
  if [ -n "$CT_LEADER" ]; then kill -s RTMIN+4 "$CT_LEADER" 2>/dev/null || true; fi
  while kill -0 "$CT_NSPAWN_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if kill -0 "$CT_NSPAWN_PID" 2>/dev/null; then
    echo "container: clean shutdown timed out, killing systemd-nspawn" >&2
    kill -KILL "$CT_NSPAWN_PID" 2>/dev/null || true
  fi
  wait "$CT_NSPAWN_PID" 2>/dev/null || true
  CT_NSPAWN_PID=""
  rm -f "$CT_LOG"
}
