#!/usr/bin/env bash
# Installs, with apt, whatever Notifly needs that this machine lacks; silent when nothing is missing.
#   scripts/ensure-deps.sh         everything the tests need
#   scripts/ensure-deps.sh --run   only what running Notifly needs
set -euo pipefail

mode=test
case "${1:-}" in
  "") ;;
  --run) mode=run ;;
  *) echo "usage: $0 [--run]" >&2; exit 2 ;;
esac

missing=()

# The OpenAPI document test also checks it against the official OpenAPI 3.1 schema with
# @seriousme/openapi-schema-validator, installed from tests/openapi-validator's lock file.
validator=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/openapi-validator
ensure_openapi_validator() {
  [[ $mode == test && ! -e $validator/node_modules/.bin/validate-api ]] || return 0
  local npm_log
  npm_log=$(mktemp)
  if ! npm ci --prefix "$validator" --no-audit --no-fund >"$npm_log" 2>&1; then
    cat "$npm_log" >&2
    rm -f "$npm_log"
    echo "ensure-deps: npm ci failed in $validator" >&2
    exit 1
  fi
  rm -f "$npm_log"
}

# PrivatePostgres runs the server from the distribution's binaries (initdb, pg_ctl, postgres).
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  missing+=(postgresql)
fi

# The cluster tests keep Orleans membership in a real Redis server.
if [[ $mode == test ]] && ! command -v redis-server >/dev/null; then
  missing+=(redis-server)
fi

# The email tests talk to a real SMTP server (aiosmtpd).
if [[ $mode == test ]] && ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  missing+=(python3-aiosmtpd)
fi

# The dashboard's browser tests drive Debian's chromium (playwright-core downloads no browser here).
if [[ $mode == test ]] && ! command -v chromium >/dev/null; then
  missing+=(chromium)
fi

# node and npm build the admin dashboard (scripts/build-dashboard.sh), and the tests use them too.
if ! { command -v node && command -v npm; } >/dev/null; then
  missing+=(nodejs npm)
fi

# kcat is how single-node users talk to the embedded Kafka from a shell: nice to have, so a
# machine that cannot install it still runs Notifly.
optional=()
if [[ $mode == run ]] && ! command -v kcat >/dev/null; then
  optional+=(kcat)
fi

if ((${#missing[@]} == 0)); then
  if ((${#optional[@]} > 0)) && { [[ $(id -u) -eq 0 ]] || sudo -n true 2>/dev/null; }; then
    sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo -n)
    { "${sudo_cmd[@]}" apt-get update && "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${optional[@]}"; } >/dev/null 2>&1 \
      || echo "ensure-deps: could not install ${optional[*]} (optional)" >&2
  fi
  ensure_openapi_validator
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "ensure-deps: missing ${missing[*]}; run as root or install sudo: apt-get install ${missing[*]}" >&2
  exit 1
fi

missing+=("${optional[@]}")
echo "ensure-deps: installing ${missing[*]}" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's own progress is noise unless it fails; then it is the diagnosis.
if ! { "${as_root[@]}" apt-get update \
       && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-deps: apt-get failed installing ${missing[*]}" >&2
  exit 1
fi
ensure_openapi_validator
