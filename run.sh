#!/usr/bin/env bash
# Runs Notifly on one node: private PostgreSQL under .notifly/, API + silo on http://localhost:8080.
# Extra arguments go to the silo (e.g. --urls http://0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/ensure-deps.sh --run
scripts/build-dashboard.sh
# dotnet run starts in the project folder; keep the data beside the repository instead.
export NOTIFLY_HOME="${NOTIFLY_HOME:-$PWD/.notifly}"
exec dotnet run --project silo/Notifly.Silo.csproj -c Release -- dev "$@"
