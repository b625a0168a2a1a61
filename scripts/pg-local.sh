#!/usr/bin/env bash
# A project-local PostgreSQL 15 cluster for development and the demo:
#   scripts/pg-local.sh start|stop|status|url
# scripts/sensor.sh starts it, applies the migrations and creates the first user.
# Data lives in <repo>/.state/pg (ignored by git), it listens on 127.0.0.1 only, on its own
# port (SECURENET_PG_PORT, default 54329), and runs as a non-root user (SECURENET_PG_USER,
# default: the caller if not root; otherwise `securenet`, created as a system user if
# missing). Idempotent: start on a running cluster just prints the URL.
# Prints the connection URL (also: `scripts/pg-local.sh url`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=${SECURENET_PG_BINDIR:-/usr/lib/postgresql/15/bin}
port=${SECURENET_PG_PORT:-54329}
state=${SECURENET_STATE_DIR:-$root/.state}
data=$state/pg
dbname=securenet

die() { echo "pg-local: $*" >&2; exit 1; }
[ -x "$bindir/pg_ctl" ] || die "no PostgreSQL 15 at $bindir (install postgresql-15: scripts/setup.sh)"

if [ "$(id -u)" -eq 0 ]; then
  pguser=${SECURENET_PG_USER:-securenet}
  if ! id "$pguser" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$pguser" || die "cannot create system user $pguser"
  fi
  as_pg() { runuser -u "$pguser" -- "$@"; }
else
  pguser=$(id -un)
  as_pg() { "$@"; }
fi

url() { echo "postgresql://$pguser@127.0.0.1:$port/$dbname?sslmode=disable"; }

running() { [ -f "$data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

init_cluster() {
  mkdir -p "$state"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u "$pguser" -- test -x "$state"; then
    die "user $pguser cannot reach $state (a parent directory is not searchable, e.g. /root);" \
        "set SECURENET_STATE_DIR to a reachable directory or SECURENET_PG_USER to another user"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    chmod 700 "$data"
    [ "$(id -u)" -eq 0 ] && chown "$pguser": "$data"
    # The socket directory sits inside the data dir so no system path is needed.
    as_pg "$bindir/initdb" -D "$data" -U "$pguser" --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >/dev/null || die "initdb failed"
    cat >>"$data/postgresql.conf" <<CONF
# securenet local cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data'
CONF
    # Loopback only, no passwords needed (the cluster is private to this machine's users
    # who can already read the data directory's owner files; never expose it).
    cat >"$data/pg_hba.conf" <<HBA
local all all trust
host  all all 127.0.0.1/32 trust
HBA
  fi
}

start() {
  init_cluster
  if ! running; then
    as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $port -k $data" start >/dev/null || { tail -20 "$data/server.log" >&2; die "start failed"; }
  fi
  if ! as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$pguser" -d postgres -Atqc \
      "select 1 from pg_database where datname = '$dbname'" | grep -q 1; then
    as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$pguser" "$dbname"
  fi
  url
}

case "${1:-status}" in
  start) start ;;
  stop)
    if running; then as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
    echo "pg-local: stopped" ;;
  status)
    if running; then echo "pg-local: running on 127.0.0.1:$port"; url; else echo "pg-local: not running"; exit 3; fi ;;
  url) url ;;
  *) die "usage: $0 start|stop|status|url" ;;
esac
