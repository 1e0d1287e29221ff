#!/usr/bin/env bash
# Installs the browser the end-to-end tests and ./bench.sh web drive: Debian's chromium at /usr/bin/chromium,
# idempotently (nothing happens when it is there). Playwright never downloads a browser of its own.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The end-to-end tests need Chromium at /usr/bin/chromium (Debian: apt-get install -y chromium)." >&2
  exit 1
fi
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
echo "Installing Chromium for the end-to-end tests (apt-get install chromium)..." >&2
"${sudo_cmd[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium >&2
