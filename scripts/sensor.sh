#!/usr/bin/env bash
# Starts the whole sensor from an existing build: a database (a project-local PostgreSQL
# cluster unless SECURENET_DATABASE_URL is set), migrations, a first user, the dataplane on
# a traffic source, and the control plane with the dashboard. Stops everything on exit.
# Supervises both: a dataplane or control plane that crashes (non-zero exit, signal) is
# restarted after a back-off (2 s, doubling to 30 s; reset after 60 s of running); their
# pids are in <state>/dataplane.pid and <state>/control.pid. A dataplane whose source ends
# (exit 0) stays stopped; the control plane's own exit 0 stops everything.
#
# Options: --state-dir DIR, --port PORT (control plane on 127.0.0.1:PORT), --instance NAME,
#          --tls (HTTPS with a self-signed certificate made in <state-dir>/tls).
# Once the API answers it prints SECURENET_URL=..., and on the run that creates the first
# user SECURENET_EMAIL=... and SECURENET_PASSWORD=... (printed once, never stored in clear
# unless SECURENET_KEEP_CREDENTIALS=1).
#
# Environment (all optional; options win):
#   SECURENET_STATE_DIR     runtime state (default <repo>/.state)
#   SECURENET_BUILD_DIR     build tree (default <repo>/build)
#   SECURENET_LISTEN        control plane address (default 127.0.0.1:8080)
#   SECURENET_INSTANCE      shared-memory instance name (default "default")
#   SECURENET_DATABASE_URL  use this database instead of the local cluster (an admin URL:
#                           migrations, the first user)
#   SECURENET_SENSOR_DATABASE_URL  what the control plane connects with (default: the
#                           local cluster's securenet_sensor role; else the URL above)
#   SECURENET_OWNER_EMAIL   the user whose rows this sensor writes (default: the oldest)
#   SECURENET_PG_PORT       port of the local cluster (default 54329)
#   SECURENET_SOURCE_ARGS   dataplane source options (default: replay a demo capture with
#                           an ICMP flood amid benign traffic)
#   SECURENET_DEMO_PPS      pace of the demo replay (default 3000 packets/s)
#   SECURENET_CONTROL_ARGS  more securenet-control options, e.g. --block-config FILE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SECURENET_BUILD_DIR:-$root/build}
state=${SECURENET_STATE_DIR:-$root/.state}
listen=${SECURENET_LISTEN:-127.0.0.1:8080}
instance=${SECURENET_INSTANCE:-default}
tls=
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) state=$2; shift 2 ;;
    --port) listen=127.0.0.1:$2; export SECURENET_PG_PORT=${SECURENET_PG_PORT:-$(($2 + 1))}; shift 2 ;;
    --instance) instance=$2; instance_given=1; shift 2 ;;
    --tls) tls=1; shift ;;  # HTTPS with a self-signed certificate in <state>/tls
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "sensor: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
# A state dir of its own without a named instance: an instance of its own too.
[ "$state" = "$root/.state" ] || [ -n "${SECURENET_INSTANCE:-}" ] || [ -n "${instance_given:-}" ] \
  || instance=sensor-$$
export SECURENET_STATE_DIR=$state
mkdir -p "$state"
chmod 711 "$state"  # the local PostgreSQL runs as another user and needs to traverse it

say() { echo "sensor: $*" >&2; }
die() { say "$*"; exit 1; }
for b in dataplane/securenet-dataplane dataplane/securenet-pcapgen control/securenet-control \
         control/store/securenet-db; do
  [ -x "$build/$b" ] || die "missing $build/$b: run scripts/build.sh first"
done

# --- database -------------------------------------------------------------------------
if [ -z "${SECURENET_DATABASE_URL:-}" ]; then
  SECURENET_DATABASE_URL=$("$root/scripts/pg-local.sh" start)
  started_pg=1
fi
export SECURENET_DATABASE_URL
"$build/control/store/securenet-db" migrate --dir "$root/control/migrations" >/dev/null
email=${SECURENET_ADMIN_EMAIL:-admin@sensor.local}
password=""
if [ -z "$("$build/control/store/securenet-db" user list)" ]; then
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
  # The password goes through stdin, never onto a command line (ps, /proc/*/cmdline).
  printf '%s\n' "$password" | "$build/control/store/securenet-db" user add --email "$email" \
    --password - --role admin >/dev/null || die "could not create the first user $email"
fi
# The control plane runs as the least-privileged securenet_sensor role (migration 0009).
sensor_db_url=${SECURENET_SENSOR_DATABASE_URL:-}
if [ -z "$sensor_db_url" ] && [ -n "${started_pg:-}" ]; then
  sensor_db_url=$(SECURENET_DB_BIN="$build/control/store/securenet-db" "$root/scripts/pg-local.sh" sensor-url)
fi
sensor_db_url=${sensor_db_url:-$SECURENET_DATABASE_URL}

# --- JWT secret -------------------------------------------------------------------------
secret=$state/jwt-secret
if [ ! -s "$secret" ]; then
  (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n' >"$secret")
fi

# --- traffic source ---------------------------------------------------------------------
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${started_pg:-}" ] && [ -z "${SECURENET_KEEP_DB:-}" ]; then
    "$root/scripts/pg-local.sh" stop >/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if [ -n "${SECURENET_SOURCE_ARGS:-}" ]; then
  # shellcheck disable=SC2206
  source_args=($SECURENET_SOURCE_ARGS)
else
  # The demo: benign TCP/UDP background from 300 hosts with one host flooding ICMP echo
  # (half the packets): one HIGH protocol-blacklist alert and a busy top talker to look at.
  demo=$state/demo-icmp-flood.pcap
  if [ ! -s "$demo" ]; then
    "$build/dataplane/securenet-pcapgen" --out "$demo" --packets 60000 --hosts 300 \
      --scenario icmp-flood --pps 1500 >/dev/null
  fi
  source_args=(--source pcap --target "$demo" --loops 0 --rate "${SECURENET_DEMO_PPS:-3000}")
fi
# --- control plane ----------------------------------------------------------------------
web_args=()
[ -f "$root/web/dist/index.html" ] && web_args=(--web-root "$root/web/dist")
# It reads SECURENET_DATABASE_URL; its rows belong to SECURENET_OWNER_EMAIL (default: the
# oldest user, i.e. the first user created above).
owner_args=()
[ -n "${SECURENET_OWNER_EMAIL:-}" ] && owner_args=(--owner-email "$SECURENET_OWNER_EMAIL")
tls_args=()
scheme=http
if [ -n "$tls" ]; then  # a self-signed certificate for a quick start; bring your own with --tls-cert
  mkdir -p "$state/tls"
  if [ ! -f "$state/tls/cert.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj "/CN=securenet-sensor" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
      -keyout "$state/tls/key.pem" -out "$state/tls/cert.pem" 2>/dev/null || die "openssl req failed"
    chmod 600 "$state/tls/key.pem"
  fi
  tls_args=(--tls-cert "$state/tls/cert.pem" --tls-key "$state/tls/key.pem")
  scheme=https
fi

# --- supervision ------------------------------------------------------------------------
declare -A pid_of started_at backoff
start_dataplane() {
  "$build/dataplane/securenet-dataplane" --instance "$instance" "${source_args[@]}" &
  pid_of[dataplane]=$!
}
start_control() {
  SECURENET_DATABASE_URL=$sensor_db_url "$build/control/securenet-control" --instance "$instance" --listen "$listen" \
    --state-dir "$state" --jwt-secret-file "$secret" "${web_args[@]}" "${owner_args[@]}" "${tls_args[@]}" \
    ${SECURENET_CONTROL_ARGS:-} &
  pid_of[control]=$!
}
start() {  # start NAME: runs it and records its pid
  "start_$1"
  started_at[$1]=$SECONDS
  echo "${pid_of[$1]}" >"$state/$1.pid"
  pids=("${pid_of[@]}")
}
start dataplane
start control
url="$scheme://$listen"
curl_tls=()
[ -n "$tls" ] && curl_tls=(--cacert "$state/tls/cert.pem")
for _ in $(seq 1 600); do  # up to a minute: a loaded box starts slowly
  curl -fsS "${curl_tls[@]}" "$url/health" >/dev/null 2>&1 && break
  kill -0 "${pid_of[control]}" 2>/dev/null || break
  sleep 0.1
done
curl -fsS "${curl_tls[@]}" "$url/health" >/dev/null 2>&1 || die "control plane did not answer on $url"
echo "SECURENET_URL=$url"
if [ -n "$password" ]; then
  echo "SECURENET_EMAIL=$email"
  echo "SECURENET_PASSWORD=$password"
  say "first user: $email with the password above (shown once; add users with securenet-db user add)"
fi
say "dashboard and API on $url (Ctrl-C stops everything)"
# Restart what crashes, with back-off; stop when the control plane exits cleanly.
while :; do
  finished=""
  wait -n -p finished "${pid_of[@]}" && rc=0 || rc=$?
  [ -n "$finished" ] || continue
  for name in "${!pid_of[@]}"; do [ "${pid_of[$name]}" = "$finished" ] && break; done
  unset "pid_of[$name]"
  pids=("${pid_of[@]}")
  if [ "$rc" -eq 0 ]; then
    [ "$name" = control ] && { say "the control plane exited; stopping"; exit 0; }
    say "the dataplane finished (its source ended); the control plane keeps serving"
    [ ${#pid_of[@]} -gt 0 ] || exit 0
    continue
  fi
  ran=$((SECONDS - ${started_at[$name]}))
  delay=${backoff[$name]:-2}
  [ "$ran" -ge 60 ] && delay=2
  say "the $name exited with status $rc after ${ran}s; restarting in ${delay}s"
  sleep "$delay" & wait $! || true
  backoff[$name]=$((delay * 2 > 30 ? 30 : delay * 2))
  start "$name"
done
