#!/usr/bin/env bash
# The benchmark: ./bench.sh [catalog|download|workflow|upload|gateway|import|startup|datasets|all] [--duration S] [--concurrency N] [--models N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")"
dotnet build -c Release src/Functions -nologo -v quiet >/dev/null
exec dotnet run -c Release --project bench/ModelsHub.Bench -- "$@"
