#!/usr/bin/env bash
# The benchmark: ./bench.sh [catalog|download|workflow|upload|gateway|import|startup|datasets|deployments|web|all] [--duration S] [--concurrency N] [--models N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")"
dotnet build -c Release src/Functions -nologo -v quiet >/dev/null
# The web scenario measures what is deployed: the published hub with the web app trimmed and precompressed (Brotli).
if [[ $# -eq 0 || " $* " == *" web "* || " $* " == *" all "* ]]; then
  tests/ModelsHub.EndToEndTests/install-chromium.sh
  dotnet publish -c Release src/Functions -o artifacts/bench-hub -nologo -v quiet >/dev/null
fi
exec dotnet run -c Release --project bench/ModelsHub.Bench -- "$@"
