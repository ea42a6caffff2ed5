#!/usr/bin/env bash
# Builds and runs every test; extra arguments go to dotnet test (e.g. --filter "FullyQualifiedName~Storage").
# Ends with "N passed, N failed, N skipped" summed over the test projects, and exits as dotnet test did.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/ensure-deps.sh
scripts/build-dashboard.sh

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
# The counts come from TRX files, not the console: its wording changes with verbosity and UI language.
dotnet test Notifly.sln -c Release --logger "console;verbosity=normal" --logger trx --results-directory "$results" "$@" \
  || status=$?

shopt -s nullglob
reports=("$results"/*.trx)
if ((${#reports[@]} > 0)); then
  # The failed tests' names just above the summary, where a truncated log still shows them.
  grep -ho '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "${reports[@]}" \
    | sed -n 's/.* testName="\([^"]*\)".*/failed: \1/p' | sed 's/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' || true
  # Matching ' passed="' with its leading space keeps passedButRunAborted out of the count;
  # skipped tests show only as total minus executed (their notExecuted counter stays 0).
  grep -ho '<Counters [^>]*>' "${reports[@]}" | awk '
    function count(name,   m) {
      if (!match($0, " " name "=\"[0-9]+\"")) return 0
      m = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0
    }
    { passed += count("passed"); failed += count("failed") + count("error") + count("timeout") + count("aborted")
      skipped += count("total") - count("executed") }
    END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }'
else
  echo "test.sh: no test results (the build failed, or no test ran)" >&2
fi
exit "$status"
