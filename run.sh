#!/usr/bin/env bash
# Runs Notifly in dev mode (private PostgreSQL, in-process Kafka); extra arguments go to the silo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/ensure-deps.sh --run
exec dotnet run --project silo/Notifly.Silo.csproj -c Release -- dev "$@"
