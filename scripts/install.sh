#!/usr/bin/env bash
# Installs the sensor from an existing build as systemd services (scripts/systemd/):
# the binaries and the dashboard under PREFIX, the unit templates, the service user
# `securenet`, and /etc/securenet/INSTANCE.env (created once, never overwritten).
# Idempotent: a second run changes nothing and says so.
#
#   scripts/install.sh [--instance NAME] [--prefix /usr/local] [--build DIR]
#                      [--root DIR] [--enable] [--start]
#
#   --root DIR   install into DIR (a staging tree, as DESTDIR): no user, no systemctl
#   --enable     systemctl enable securenet@NAME.target (starts at boot)
#   --start      systemctl restart securenet@NAME.target now
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
instance=default prefix=/usr/local root="" enable="" start=""
build=${SECURENET_BUILD_DIR:-$repo/build}
while [ $# -gt 0 ]; do
  case "$1" in
    --instance) instance=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --root) root=$2; shift 2 ;;
    --enable) enable=1; shift ;;
    --start) start=1; enable=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$instance" in *[!A-Za-z0-9_.-]*|"") echo "install: bad instance name '$instance'" >&2; exit 2 ;; esac
say() { echo "install: $*"; }
changed=0

# put MODE SRC DEST: copies when the content differs (keeps mtimes otherwise).
put() {
  local mode=$1 src=$2 dest=$3
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then return; fi
  install -D -m "$mode" "$src" "$dest"
  say "installed $dest"
  changed=$((changed + 1))
}

for b in dataplane/securenet-dataplane control/securenet-control control/store/securenet-db; do
  [ -x "$build/$b" ] || { echo "install: missing $build/$b: run scripts/build.sh first" >&2; exit 1; }
  put 0755 "$build/$b" "$root$prefix/bin/$(basename "$b")"
done
for m in "$repo"/control/migrations/*.sql; do
  put 0644 "$m" "$root$prefix/share/securenet/migrations/$(basename "$m")"
done
if [ -f "$repo/web/dist/index.html" ]; then
  while IFS= read -r -d '' f; do
    put 0644 "$f" "$root$prefix/share/securenet/web/${f#"$repo/web/dist/"}"
  done < <(find "$repo/web/dist" -type f -print0)
else
  say "no web/dist (run scripts/web-build.sh for the dashboard); the API works without it"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for u in "$here"/systemd/*; do
  sed "s|@PREFIX@|$prefix|g" "$u" >"$tmp/$(basename "$u")"
  put 0644 "$tmp/$(basename "$u")" "$root/etc/systemd/system/$(basename "$u")"
done

env_file=$root/etc/securenet/$instance.env
if [ ! -f "$env_file" ]; then
  install -d -m 0755 "$root/etc/securenet"
  (umask 027; cat >"$env_file" <<ENV
# securenet@$instance: read by securenet-dataplane@$instance and securenet-control@$instance.
# The capture: --source afpacket|afxdp|dpdk|pcap --target IFACE (see securenet-dataplane --help).
SECURENET_SOURCE_ARGS=--source afpacket --target eth0
# The API and dashboard (put a TLS proxy in front to serve beyond this box).
SECURENET_LISTEN=127.0.0.1:8080
# PostgreSQL / Supabase (empty: no database; alerts and config in memory and config.json).
SECURENET_DATABASE_URL=
# More securenet-control options, e.g. --migrate --owner-email admin@example.com
SECURENET_CONTROL_ARGS=--migrate
ENV
  )
  say "created $env_file (edit the capture interface and the database URL)"
  changed=$((changed + 1))
fi

if [ -z "$root" ]; then
  if ! getent passwd securenet >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/securenet --shell /usr/sbin/nologin securenet
    say "created the system user securenet"
    changed=$((changed + 1))
  fi
  chgrp securenet "$env_file" 2>/dev/null || true
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl daemon-reload
    if [ -n "$enable" ]; then systemctl enable "securenet@$instance.target" "securenet-dataplane@$instance.service" \
      "securenet-control@$instance.service" >/dev/null; fi
    if [ -n "$start" ]; then systemctl restart "securenet@$instance.target"; fi
  else
    say "systemd is not running here: units installed, not loaded"
  fi
fi
if [ "$changed" -eq 0 ]; then say "everything up to date"; else say "$changed change(s)"; fi
