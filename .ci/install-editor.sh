#!/usr/bin/env bash
# Installs code-server 4.100.3 (= VS Code 1.100.3; newer releases need Node 22) into
# <repo>/.tools/code-server, for the real-editor tests in test/e2e.
#
# Needs these Debian packages, installed by the caller (this script installs none):
#   libkrb5-dev  headers for the native `kerberos` module that VS Code's server builds
#   ripgrep      /usr/bin/rg, copied in because @vscode/ripgrep would download it
#   chromium     the browser the tests drive (not used by this script)
#   make, g++, python3 (node-gyp builds argon2, node-pty, kerberos, spdlog ...; present on these machines)
# and Node 20 with npm (tested with npm 11, as root). Takes about 75 s with a warm npm cache and
# 105 s with an empty one on 2 cores; downloads only from the npm registry.
#
# Idempotent: a finished install leaves a marker file and is reused; an interrupted one (no marker)
# is wiped and redone, because a half-built node_modules cannot be trusted.
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.tools/code-server"
MARKER="$DEST/.installed-$VERSION"

if [[ -f "$MARKER" ]]; then
  echo "code-server $VERSION already installed in $DEST"
  exit 0
fi

for tool in node npm rg; do
  command -v "$tool" >/dev/null || { echo "install-editor: '$tool' not found on PATH" >&2; exit 1; }
done

start=$SECONDS
rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
# Without a package.json here npm would walk up to the repo's own package.json and install into it.
echo '{ "name": "editor-tools", "private": true }' > package.json

# The package's postinstall refuses to run as root under npm 11, so scripts are skipped and what the
# postinstall does is done by hand below.
npm install "code-server@$VERSION" --ignore-scripts --no-audit --no-fund
npm rebuild argon2

cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund
# @vscode/ripgrep's install script downloads rg; it skips that when bin/ already exists.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# node-pty's install runs `npx node-gyp`, which would otherwise stop to ask before installing it.
npm_config_yes=true npm rebuild
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund)

# Fail here rather than in the first test if the server cannot start at all. --config /dev/null:
# without it code-server writes a default config into ~/.config/code-server.
"$DEST/node_modules/.bin/code-server" --config /dev/null --version

touch "$MARKER"
echo "code-server $VERSION installed in $DEST in $((SECONDS - start)) s"
