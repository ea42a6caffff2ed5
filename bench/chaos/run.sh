#!/usr/bin/env bash
# The chaos run (RELIABILITY.md): a cluster of silos and api nodes on this machine under steady
# REST and Kafka load, with faults injected on a schedule, then an audit. About 10 minutes.
# Extra arguments go to the program (e.g. --duration 600, --seed 7); --help lists them.
# Exits non-zero when the audit finds a lost, stuck or unexplained twice-delivered notification.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scripts/ensure-deps.sh # redis-server among them
dotnet build bench/chaos/Notifly.Chaos.csproj -c Release --nologo -v quiet
exec timeout --kill-after=30 2400 bench/chaos/bin/Release/net10.0/Notifly.Chaos "$@"
