#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/deps/*.txt. Idempotent and fast when
# everything is already installed (one dpkg-query, no apt-get).
set -euo pipefail
# --dev also installs scripts/deps/dev/*.txt (tools for developers, e.g. stress-ng).
here=$(cd "$(dirname "$0")" && pwd)
lists=("$here"/deps/*.txt)
[ "${1:-}" = "--dev" ] && lists+=("$here"/deps/dev/*.txt)
mapfile -t wanted < <(cat "${lists[@]}" | sed -e 's/#.*//' -e 's/[[:space:]]//g' | grep -v '^$' | sort -u)
missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo_cmd debconf-set-selections
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
