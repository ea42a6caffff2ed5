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

# Two Node checks run from the tests, each installed from its lock file: the OpenAPI document
# against the official OpenAPI 3.1 schema (tests/openapi-validator), and k8s/'s rendered
# manifests against the Kubernetes and operators' schemas, with the monitoring's PromQL
# (tests/k8s-validator).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ensure_node_checks() {
  [[ $mode == test ]] || return 0
  local dir npm_log
  for dir in "$root/tests/openapi-validator" "$root/tests/k8s-validator"; do
    [[ ! -e $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]] || continue
    npm_log=$(mktemp)
    if ! npm ci --prefix "$dir" --no-audit --no-fund >"$npm_log" 2>&1; then
      cat "$npm_log" >&2
      rm -f "$npm_log"
      echo "ensure-deps: npm ci failed in $dir" >&2
      exit 1
    fi
    rm -f "$npm_log"
  done
}

# The Kubernetes manifest tests render k8s/ with `kubectl kustomize`. kubectl is not in Debian's
# own archive: it comes from the Kubernetes (or Google Cloud) apt repository where one is
# configured, and the tests fail, saying so, on a machine that has neither.
ensure_kubectl() {
  [[ $mode == test ]] && ! command -v kubectl >/dev/null || return 0
  if [[ $(id -u) -eq 0 ]] || sudo -n true 2>/dev/null; then
    local sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo -n)
    { "${sudo_cmd[@]}" apt-get update && "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends kubectl; } >/dev/null 2>&1 || true
  fi
  command -v kubectl >/dev/null \
    || echo "ensure-deps: kubectl is missing and apt could not install it; the k8s/ tests will fail (install kubectl 1.30 or later)" >&2
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
  ensure_node_checks
  ensure_kubectl
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
ensure_node_checks
ensure_kubectl
