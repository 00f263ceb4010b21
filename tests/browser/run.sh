#!/usr/bin/env bash
# Browser tests of the operator console: start `chargeplane serve` (which serves the console
# built by `make build` from <build>/web) on ephemeral loopback ports in a temporary data dir,
# run the node suites (they start simulated piles with `chargeplane sim` and drive Debian's
# chromium through playwright-core), stop the server. Screenshots go to
# <build>/browser-artifacts/.   Usage: tests/browser/run.sh <path-to-chargeplane> [suite ...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:?usage: tests/browser/run.sh <path-to-chargeplane> [suite ...]}"
shift
[[ -x "$bin" ]] || { echo "browser: $bin is not an executable" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
build_dir="$(dirname "$bin")"
chromium="${CP_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || { echo "browser: $chromium is missing (tools/install-deps.sh installs Debian's chromium)" >&2; exit 2; }
[[ -f "$build_dir/web/index.html" ]] || { echo "browser: $build_dir/web/index.html is missing: build the console (make build)" >&2; exit 2; }
if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d -t chargeplane-browser.XXXXXX)"
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

admin_password="browser-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
CHARGEPLANE_ADMIN_PASSWORD="$admin_password" "$bin" serve --data-dir "$work/data" \
  --listen-ocpp 127.0.0.1:0 --listen-api 127.0.0.1:0 --listen-ykc 127.0.0.1:0 --call-timeout 5 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
ready=""
for _ in $(seq 1 300); do
  ready="$(grep -m1 '^chargeplane ready ' "$work/stdout" || true)"
  [[ -n "$ready" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "browser: the server exited before it was ready" >&2; cat "$work/stderr" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$ready" ]] || { echo "browser: no ready line within 30 s" >&2; tail -n 50 "$work/stderr" >&2; exit 1; }
ocpp_url="$(sed -n 's/.* ocpp=\([^ ]*\).*/\1/p' <<<"$ready")"
api_url="$(sed -n 's/.* api=\([^ ]*\).*/\1/p' <<<"$ready")"
echo "browser: server ready (ocpp=$ocpp_url api=$api_url)"

suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=("$here"/*.test.mjs)
mkdir -p "$build_dir/browser-artifacts"
status=0
CP_BINARY="$bin" CP_OCPP_URL="$ocpp_url" CP_API_URL="$api_url" CP_ADMIN_PASSWORD="$admin_password" \
  CP_CHROMIUM="$chromium" CP_ARTIFACTS="$build_dir/browser-artifacts" CP_WORK="$work" \
  node --test --test-concurrency=1 --test-reporter=spec "${suites[@]}" || status=$?
if [[ $status -ne 0 ]]; then
  echo "browser: FAILED; screenshots in $build_dir/browser-artifacts; last server log lines:" >&2
  tail -n 40 "$work/stderr" >&2
fi
exit $status
