#!/usr/bin/env bash
# The whole test suite. Installs what the tests need (idempotently), then runs every test project.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The Azure-profile tests start Azurite and a Cosmos DB stand-in (npm packages); install them first.
tests/emulators/install.sh
# The web app's end-to-end tests drive Debian's Chromium through Playwright; install it first.
tests/ModelsHub.EndToEndTests/install-chromium.sh
dotnet test ModelsHub.sln --nologo "$@"
