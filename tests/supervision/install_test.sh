#!/usr/bin/env bash
# scripts/install.sh into a staging root, twice: the files, their hardening, idempotence,
# the env file kept, and `systemd-analyze verify` of the units (SKIP, exit 77, without it).
# Usage: install_test.sh <repo root> <build dir>
set -euo pipefail
repo=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/securenet-install-$$-XXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
root=$tmp/root
inst=t$$

out1=$(bash "$repo/scripts/install.sh" --root "$root" --build "$build" --instance "$inst")
echo "$out1" | tail -3
echo "$out1" | grep -q "change(s)" || fail "the first run changed nothing"
for f in usr/local/bin/securenet-dataplane usr/local/bin/securenet-control usr/local/bin/securenet-db \
         etc/systemd/system/securenet@.target etc/systemd/system/securenet-dataplane@.service \
         etc/systemd/system/securenet-control@.service "etc/securenet/$inst.env" \
         usr/local/share/securenet/migrations/0001_supabase_auth_shim.sql; do
  [ -e "$root/$f" ] || fail "missing $f"
done
units=$root/etc/systemd/system
grep -q "@PREFIX@" "$units"/* && fail "a unit still has @PREFIX@"
for u in securenet-dataplane@.service securenet-control@.service; do
  for want in "Restart=on-failure" "NoNewPrivileges=yes" "ProtectSystem=strict" "LimitNOFILE=" "User=securenet" \
              "PartOf=securenet@%i.target" "ExecStart=/usr/local/bin/"; do
    grep -q "^$want" "$units/$u" || fail "$u lacks $want"
  done
done
grep -q "^LimitMEMLOCK=infinity" "$units/securenet-dataplane@.service" || fail "dataplane without LimitMEMLOCK"
grep -q "^CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN CAP_BPF CAP_PERFMON CAP_IPC_LOCK$" \
  "$units/securenet-dataplane@.service" || fail "dataplane capabilities"
grep -q "^CapabilityBoundingSet=$" "$units/securenet-control@.service" || fail "the control plane must have no capability"
grep -q "^StateDirectory=securenet/%i" "$units/securenet-control@.service" || fail "control without its state dir"

# Idempotent: nothing changes, mtimes stay; an edited env file is kept.
echo "SECURENET_SOURCE_ARGS=--source afpacket --target span0" >>"$root/etc/securenet/$inst.env"
before=$(find "$root" -type f -printf '%p %T@\n' | sort | md5sum)
out2=$(bash "$repo/scripts/install.sh" --root "$root" --build "$build" --instance "$inst")
echo "$out2" | grep -q "everything up to date" || fail "second run was not a no-op: $out2"
after=$(find "$root" -type f -printf '%p %T@\n' | sort | md5sum)
[ "$before" = "$after" ] || fail "the second run touched files"
grep -q "span0" "$root/etc/securenet/$inst.env" || fail "the env file was overwritten"

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed (units not verified)"; exit 77; }
# Verify instances of the templates with ExecStart pointing at the staged binaries.
v=$tmp/verify
mkdir -p "$v"
for u in "$units"/securenet*; do
  name=$(basename "$u")
  sed "s|/usr/local|$root/usr/local|g" "$u" >"$v/${name/@./@$inst.}"
done
if ! msg=$(cd "$v" && systemd-analyze verify ./*@"$inst".* 2>&1); then
  fail "systemd-analyze verify: $msg"
fi
if echo "$msg" | grep -i "securenet" | grep -v -i "EnvironmentFile\|/etc/securenet"; then
  fail "systemd-analyze verify complained about the units (above)"
fi
echo "PASS: installed, idempotent, units verified"
