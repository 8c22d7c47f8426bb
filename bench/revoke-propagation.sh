#!/usr/bin/env bash
# Revoke propagation between two daemons sharing their deny list in PostgreSQL: prints how long a
# `securecmdctl revoke` on daemon A takes to close the device's open connection on daemon B, and an
# unrevoke until B accepts it again. A throwaway PostgreSQL cluster (initdb/pg_ctl, as an unprivileged
# user when run as root) and both daemons run on 127.0.0.1 in a temporary directory; bounded; asserts nothing.
#
#   bench/revoke-propagation.sh [ROUNDS]      (default 20)
#
# Needs: a built tree (mvn -B -q -pl bench -am package -DskipTests), openssl, python3, postgresql.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh
rounds=${1:-20}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pgbin/initdb" ] || { echo "bench: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 2; }
if [ ! -f daemon/target/securecmdd.jar ] || [ ! -f bench/target/securecmd-bench.jar ]; then
  echo "bench: building the jars" >&2
  mvn -B -q -pl bench -am package -DskipTests -Dsecurecmd.aot.skip
fi

work=$(mktemp -d /tmp/securecmd-revoke-bench.XXXXXX)
chmod 755 "$work"
as=()
if [ "$(id -u)" = 0 ]; then
  pguser=postgres; id -u postgres >/dev/null 2>&1 || pguser=nobody
  as=(runuser -u "$pguser" --)
  mkdir "$work/pg" && chown "$pguser" "$work/pg"
else
  mkdir "$work/pg"
fi
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -f "$work/pg/data/postmaster.pid" ] && "${as[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pgport=$(free_port)
echo "bench-db-password" > "$work/pg/pwfile"
"${as[@]}" "$pgbin/initdb" -D "$work/pg/data" -U securecmd --pwfile="$work/pg/pwfile" --auth-host=scram-sha-256 \
  --auth-local=trust --no-sync --no-instructions >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -o \
  "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "bench-db-password" > "$work/db-password"; chmod 600 "$work/db-password"

scripts/tutorial-pki.sh "$work" >/dev/null
start_daemon() { # name port
  scripts/throwaway-config.sh "$1" "$2" SECRET | sed "s|^directory = \"$1-state\"|&\\
backend = \"postgresql\"\\
url = \"jdbc:postgresql://127.0.0.1:$pgport/postgres\"\\
user = \"securecmd\"\\
password_file = \"db-password\"|" > "$work/$1.toml"
  java --enable-native-access=ALL-UNNAMED -jar daemon/target/securecmdd.jar --config "$work/$1.toml" \
    > "$work/$1.log" 2>&1 &
  pids+=($!)
  local i
  for ((i = 0; i < 200; i++)); do [ -S "$work/$1-admin.sock" ] && return 0; sleep 0.1; done
  echo "bench: daemon $1 did not start; see its log:" >&2; cat "$work/$1.log" >&2; exit 1
}
port_a=$(free_port); start_daemon a "$port_a"
port_b=$(free_port); start_daemon b "$port_b"

echo "revoke propagation, 2 daemons + PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on one host, $rounds rounds:"
java -cp "bench/target/securecmd-bench.jar:daemon/target/securecmdd.jar:daemon/target/lib/*" \
  org.securecmd.bench.RevokePropagation "$work" "$port_b" "$rounds"
