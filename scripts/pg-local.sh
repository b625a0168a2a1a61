#!/usr/bin/env bash
# A project-local PostgreSQL 15 cluster for development and the demo:
#   scripts/pg-local.sh start|stop|status|url|sensor-url
# scripts/sensor.sh starts it, applies the migrations and creates the first user.
# `sensor-url` (after the migrations) gives the sensor's own least-privileged role,
# securenet_sensor, a password kept in <state>/pg-sensor-password (mode 0600) and LOGIN,
# through `securenet-db sensor-role` (SECURENET_DB_BIN, default <build>/control/store/
# securenet-db), and prints that role's URL: what securenet-control connects with.
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

# The data directory: <state>/pg, unless the cluster's user cannot reach the state folder
# (a checkout under /root, say): then a folder of its own under /var/lib/securenet.
if [ "$(id -u)" -eq 0 ] && [ -z "${SECURENET_PG_DATA:-}" ] && mkdir -p "$state" &&
   ! runuser -u "$pguser" -- test -x "$state"; then
  data=/var/lib/securenet/pg-$(printf '%s' "$state" | sha256sum | cut -c1-12)
fi
data=${SECURENET_PG_DATA:-$data}

# Password auth over TCP: the password lives in <state>/pg-password (mode 0600, readable by
# whoever runs the sensor only); the cluster's own user reaches it over its Unix socket
# (peer auth), so no other local user can connect.
pwfile=$state/pg-password
password() { cat "$pwfile"; }
url() { echo "postgresql://$pguser:$(password)@127.0.0.1:$port/$dbname?sslmode=disable"; }

sensor_pwfile=$state/pg-sensor-password
sensor_url() {
  local db_bin=${SECURENET_DB_BIN:-${SECURENET_BUILD_DIR:-$root/build}/control/store/securenet-db}
  [ -x "$db_bin" ] || die "no securenet-db at $db_bin (set SECURENET_DB_BIN)"
  if [ ! -s "$sensor_pwfile" ]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$sensor_pwfile")
  fi
  SECURENET_DATABASE_URL=$(url) "$db_bin" sensor-role --password-file "$sensor_pwfile" >/dev/null ||
    die "could not set up the securenet_sensor role (migrations applied?)"
  echo "postgresql://securenet_sensor:$(cat "$sensor_pwfile")@127.0.0.1:$port/$dbname?sslmode=disable"
}

running() { [ -f "$data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

init_cluster() {
  mkdir -p "$state"
  if [ ! -s "$pwfile" ]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pwfile")
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    chmod 700 "$data"
    [ "$(id -u)" -eq 0 ] && chown "$pguser": "$data"
    # initdb reads the superuser's password from a file the cluster's user can read.
    local initpw
    initpw=$(dirname "$data")/.pg-initpw-$$
    (umask 077; password >"$initpw")
    [ "$(id -u)" -eq 0 ] && chown "$pguser": "$initpw"
    # The socket directory sits inside the data dir so no system path is needed.
    as_pg "$bindir/initdb" -D "$data" -U "$pguser" --auth-local=peer --auth-host=scram-sha-256 \
      --pwfile="$initpw" --encoding=UTF8 --locale=C.UTF-8 >/dev/null || { rm -f "$initpw"; die "initdb failed"; }
    rm -f "$initpw"
    cat >>"$data/postgresql.conf" <<CONF
# securenet local cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data'
CONF
    # Loopback only; the cluster's own user over the socket, everyone else with the password.
    cat >"$data/pg_hba.conf" <<HBA
local all $pguser peer
host  all all 127.0.0.1/32 scram-sha-256
HBA
  fi
}

start() {
  init_cluster
  if ! running; then
    # Someone else's server on the port would make ours fail with a page of log lines.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "127.0.0.1:$port is taken by another program: set SECURENET_PG_PORT to a free port (or SECURENET_DATABASE_URL to use that server)"
    fi
    as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $port -k $data" start >/dev/null || { tail -20 "$data/server.log" >&2; die "start failed"; }
  fi
  if ! as_pg "$bindir/psql" -h "$data" -p "$port" -U "$pguser" -d postgres -Atqc \
      "select 1 from pg_database where datname = '$dbname'" | grep -q 1; then
    as_pg "$bindir/createdb" -h "$data" -p "$port" -U "$pguser" "$dbname"
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
  sensor-url) sensor_url ;;
  *) die "usage: $0 start|stop|status|url|sensor-url" ;;
esac
