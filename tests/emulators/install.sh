#!/usr/bin/env bash
# Installs the emulators the Azure-profile tests, the bench and ./run-azure-emulated.sh start
# (Azurite and the Cosmos DB stand-in), idempotently: npm ci runs only when node_modules is
# missing or was installed from another package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "The Azure-profile tests need Node.js 20+ and npm (the emulators are npm packages); install them (Debian: apt-get install nodejs npm) and run again." >&2
  exit 1
fi
stamp=node_modules/.modelshub-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "Installing the test emulators (npm ci in tests/emulators)..." >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" > "$stamp"
