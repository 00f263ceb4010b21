#!/usr/bin/env bash
# End-to-end: start `chargeplane serve` on ephemeral loopback ports in a temporary data dir,
# wait for its ready line, run the node suites (node --test), stop the server, and exit
# non-zero if anything failed.   Usage: tests/e2e/run.sh <path-to-chargeplane> [suite.test.mjs ...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:?usage: tests/e2e/run.sh <path-to-chargeplane> [suite ...]}"
shift
[[ -x "$bin" ]] || { echo "e2e: $bin is not an executable" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

if [[ ! -d "$here/node_modules/ocpp-rpc" || ! -d "$here/node_modules/ws" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d -t chargeplane-e2e.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

admin_password="e2e-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
CHARGEPLANE_ADMIN_PASSWORD="$admin_password" "$bin" serve --data-dir "$work/data" \
  --listen-ocpp 127.0.0.1:0 --listen-api 127.0.0.1:0 --listen-ykc 127.0.0.1:0 --call-timeout 3 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

ready=""
for _ in $(seq 1 300); do
  ready="$(grep -m1 '^chargeplane ready ' "$work/stdout" || true)"
  [[ -n "$ready" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: the server exited before it was ready" >&2
    cat "$work/stderr" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$ready" ]]; then
  echo "e2e: no ready line within 30 s" >&2
  tail -n 50 "$work/stderr" >&2
  exit 1
fi
ocpp_url="$(sed -n 's/.* ocpp=\([^ ]*\).*/\1/p' <<<"$ready")"
api_url="$(sed -n 's/.* api=\([^ ]*\).*/\1/p' <<<"$ready")"
echo "e2e: server ready (ocpp=$ocpp_url api=$api_url)"

suites=("$@")
if [[ ${#suites[@]} -eq 0 ]]; then
  suites=("$here"/*.test.mjs)
fi
status=0
CP_BINARY="$bin" CP_OCPP_URL="$ocpp_url" CP_API_URL="$api_url" CP_ADMIN_PASSWORD="$admin_password" \
  node --test --test-concurrency=1 --test-reporter=spec "${suites[@]}" || status=$?

if [[ $status -ne 0 ]]; then
  echo "e2e: FAILED; last server log lines:" >&2
  tail -n 40 "$work/stderr" >&2
fi
exit $status
