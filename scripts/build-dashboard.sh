#!/usr/bin/env bash
# Builds the admin dashboard (dashboard/, Vite) into dashboard/dist, which the silo project copies
# beside its executable. Installs its packages from the lock file first; does nothing when the
# build is newer than every source.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../dashboard"

quietly() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "build-dashboard: '$*' failed" >&2
    exit 1
  fi
  rm -f "$log"
}

# Vite 8 needs node 20.19 or later.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "build-dashboard: the dashboard needs node 20.19 or later; this is $(node --version)" >&2
  exit 1
fi

if [[ ! -e node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  quietly npm ci --no-audit --no-fund
fi

if [[ ! -e dist/index.html ]] || [[ -n $(find src public index.html vite.config.ts tsconfig.json package-lock.json -newer dist/index.html -print -quit) ]]; then
  quietly npm run build
fi
