#!/usr/bin/env bash
# The hub on the Azure profile against local emulators, in one command:
#   ./run-azure-emulated.sh                      # hub on http://localhost:7071
#   ./run-azure-emulated.sh --urls http://127.0.0.1:5080
#   ./run-azure-emulated.sh import-upstream ../shared/fixtures/xinference
#   ./run-azure-emulated.sh --emulators-only     # only the emulators, until Ctrl+C (for `func start`)
# Starts the Cosmos DB stand-in (http 127.0.0.1:8082, https :8081) and Azurite (blobs :10000,
# queues :10001, tables :10002) in memory, then runs the hub (arguments go to it) with
# Storage:Profile=Azure; everything the emulators hold is gone when the script stops.
set -euo pipefail
cd "$(dirname "$0")"
emulators_only=false
if [[ "${1:-}" == "--emulators-only" ]]; then
  emulators_only=true
  shift
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
tests/emulators/install.sh

for port in 8081 8082 10000 10001 10002; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port on 127.0.0.1 is in use (another emulator?); stop it and run again." >&2
    exit 1
  fi
done

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
# A signal ends the script through EXIT, so the emulators stop with it (also when it only waits on them).
trap 'exit 130' INT TERM

(cd tests/emulators && COSMOS_HTTPS_PORT=8081 COSMOS_HTTP_PORT=8082 exec node cosmos-start.js) &
pids+=($!)
(cd tests/emulators && exec node azurite-start.js --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --skipApiVersionCheck --disableTelemetry --inMemoryPersistence --silent) &
pids+=($!)

for port in 8082 10000 10001; do
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "An emulator did not open port $port within 30 s." >&2; exit 1; }
done

if $emulators_only; then
  # The Functions host (func start) reads the same settings from local.settings.json (local.settings.sample.json).
  echo "Emulators up: Cosmos stand-in http://127.0.0.1:8082 (https :8081), Azurite blobs :10000, queues :10001, tables :10002. Ctrl+C stops them."
  wait
  exit 0
fi

# Emulator settings only: in Azure the same adapters take endpoints and the managed identity
# (docs/ARCHITECTURE.md, "Azure settings"). The Cosmos key is the emulator's published one.
export Storage__Profile=Azure
export Storage__Azure__CreateIfMissing=true
export Storage__Azure__Cosmos__ConnectionString="AccountEndpoint=http://127.0.0.1:8082/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
export Storage__Azure__Blobs__ConnectionString=UseDevelopmentStorage=true
export Storage__Azure__Queues__ConnectionString=UseDevelopmentStorage=true
dotnet run --project src/Functions -- "$@"
