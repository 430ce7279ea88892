#!/usr/bin/env bash
# Installs everything the product and its tests need on a fresh Debian machine, then builds.
# Idempotent and quick when everything is already there, so every entry command can call it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# nats-server: JetStream for tests and the embedded default; python3-msgpack: the wire-compatibility
# tests read and write events as Python does; chromium, libkrb5-dev, ripgrep: the real-editor tests.
PACKAGES=(nats-server python3-msgpack chromium libkrb5-dev ripgrep openssl)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.package-lock.sha
sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$sum" ]]; then
  npm ci --no-audit --no-fund
  echo "$sum" > "$stamp"
fi

bash .ci/install-editor.sh
npm run --silent build
