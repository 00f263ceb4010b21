#!/usr/bin/env bash
# Console benchmark (BENCHMARKS.md "Operator console"): a real `chargeplane serve`, 10,000
# piles registered through the API and connected by statusgen.mjs, which then streams
# StatusNotifications at RATE per second; console_bench.mjs drives chromium through login and
# the fleet page and measures first-load bytes, load time, long tasks, frame rate and
# page-flip latency during the stream.   bench/browser/run.sh <build-dir>
# Environment: PILES=10000  RATE=500 (status events/s)  WINDOW=30 (s)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "${1:?usage: bench/browser/run.sh <build-dir>}" && pwd)"
PILES="${PILES:-10000}"; RATE="${RATE:-500}"; WINDOW="${WINDOW:-30}"
[[ -d "$here/node_modules/playwright-core" ]] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
[[ -d "$here/../node_modules/ws" ]] || (cd "$here/.." && npm ci --no-audit --no-fund --loglevel=error)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
work="$(mktemp -d -t chargeplane-console-bench.XXXXXX)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
admin="bench-admin-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)"
pw="bench-pile-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)"
CHARGEPLANE_ADMIN_PASSWORD="$admin" "$build/chargeplane" serve --data-dir "$work/data" --listen-ocpp 127.0.0.1:0 \
  --listen-api 127.0.0.1:0 --listen-ykc 127.0.0.1:0 --synchronous-full false --log-level warn >"$work/out" 2>"$work/err" &
pids+=($!)
for _ in $(seq 1 300); do grep -q '^chargeplane ready' "$work/out" && break; sleep 0.1; done
line="$(grep -m1 '^chargeplane ready' "$work/out")"
ocpp="$(sed -n 's/.* ocpp=\([^ ]*\).*/\1/p' <<<"$line")"; api="$(sed -n 's/.* api=\([^ ]*\).*/\1/p' <<<"$line")"
echo "console-bench: registering $PILES piles" >&2
node "$here/../loadgen.js" register --api "$api" --admin-password "$admin" --password "$pw" --piles "$PILES" --prefix BR --concurrency 16 >&2
echo "console-bench: connecting them, then $RATE status events/s" >&2
node "$here/statusgen.mjs" --url "$ocpp" --prefix BR --piles "$PILES" --password "$pw" --rate "$RATE" --duration $(( WINDOW + 600 )) >"$work/gen" &
pids+=($!)
for _ in $(seq 1 1200); do grep -q connected "$work/gen" && break; sleep 0.5; done
head -1 "$work/gen" >&2
mkdir -p "$build/browser-artifacts"
node "$here/console_bench.mjs" --api "$api" --password "$admin" --piles "$PILES" --window "$WINDOW" --rate "$RATE" \
  --screenshot "$build/browser-artifacts/bench-fleet-${PILES}.png"
tail -1 "$work/gen" >&2
