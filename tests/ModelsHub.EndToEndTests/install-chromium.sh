#!/usr/bin/env bash
# Installs what the end-to-end tests and ./bench.sh web drive: Debian's chromium at /usr/bin/chromium, and a CJK font
# so the 简体中文 and 繁體中文 pages render (and their screenshots show) real characters. Idempotent: nothing happens
# when both are there. Playwright never downloads a browser of its own.
set -euo pipefail
font=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
if [[ -x /usr/bin/chromium && -f $font ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The end-to-end tests need Chromium at /usr/bin/chromium and a CJK font (Debian: apt-get install -y chromium fonts-wqy-microhei)." >&2
  exit 1
fi
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
echo "Installing Chromium and a CJK font for the end-to-end tests (apt-get install chromium fonts-wqy-microhei)..." >&2
"${sudo_cmd[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium fonts-wqy-microhei >&2
