#!/usr/bin/env bash
# Builds and runs the default benchmark (about 100 s): a durable private PostgreSQL, Notifly on
# loopback, the load generator as a child process; reports to bench/results/.
# Extra arguments go to the benchmark (e.g. --connections 256, --phases all); --help lists them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/ensure-deps.sh --run
dotnet build bench/Notifly.Bench/Notifly.Bench.csproj -c Release --nologo -v quiet
# The built program itself rather than `dotnet run`, so that the time limit's SIGTERM reaches it
# and it stops PostgreSQL and deletes its data directory on the way out.
exec timeout --kill-after=30 900 bench/Notifly.Bench/bin/Release/net10.0/Notifly.Bench "$@"
