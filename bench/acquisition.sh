#!/usr/bin/env bash
# The data-acquisition policy as a load lever: the same simulated fleet under three settings,
# measuring server CPU and stored telemetry over the same window.
#   1. policy 10 s, piles follow it                      (the baseline)
#   2. policy 60 s, piles follow it (ChangeConfiguration) (load shed at the source)
#   3. policy 60 s, piles ignore it and keep sending every 10 s (load shed on ingestion)
#
#   bench/acquisition.sh <build-dir>
# Environment: PILES=2000  WINDOW=120 (s)  WARMUP=15 (s, lets the policy job reach the piles)
# Prints a markdown table (also written to bench/results/acquisition-<date>.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "${1:?usage: bench/acquisition.sh <build-dir>}" && pwd)"
PILES="${PILES:-2000}"
WINDOW="${WINDOW:-120}"
WARMUP="${WARMUP:-15}"
PASSWORD="bench-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ADMIN_PASSWORD="bench-admin-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [[ ! -d "$here/node_modules/ws" ]]; then (cd "$here" && npm ci --no-audit --no-fund --loglevel=error); fi
work="$(mktemp -d -t chargeplane-acq.XXXXXX)"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null; sleep 1; rm -rf "$work"' EXIT

CHARGEPLANE_ADMIN_PASSWORD="$ADMIN_PASSWORD" "$build/chargeplane" serve --data-dir "$work/data" \
  --listen-ocpp 127.0.0.1:0 --listen-api 127.0.0.1:0 --listen-ykc 127.0.0.1:0 --messages-per-second 1000 --message-burst 1000 \
  --jobs-piles-per-second 2000 --jobs-max-in-flight 1000 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 1 300); do grep -q '^chargeplane ready' "$work/stdout" && break; sleep 0.1; done
ready="$(grep -m1 '^chargeplane ready' "$work/stdout")" || { cat "$work/stderr" >&2; exit 1; }
ocpp="$(sed -E 's/.*ocpp=([^ ]+).*/\1/' <<<"$ready")"
api="$(sed -E 's/.*api=([^ ]+).*/\1/' <<<"$ready")"

node "$here/loadgen.js" register --api "$api" --admin-password "$ADMIN_PASSWORD" --password "$PASSWORD" \
  --piles "$PILES" --prefix ACQ >/dev/null
token="$(curl -sf -X POST "$api/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')"
policy() {
  curl -sf -X PUT "$api/api/v1/acquisition-policy" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d "{\"sample_interval_s\":$1}" >/dev/null
}
run() {  # run <interval> [--honour-config]
  node "$here/loadgen.js" paced --url "$ocpp" --piles "$PILES" --prefix ACQ --password "$PASSWORD" --boot \
    --interval "$1" ${2:-} --duration "$WINDOW" --warmup "$WARMUP" --server-pid "$server_pid" \
    --metrics-url "$api/metrics" --workers 2
}

policy 10; r1="$(run 10 --honour-config)"
policy 60; r2="$(run 10 --honour-config)"
r3="$(run 10)"

row() {  # row <label> <json>
  node -e '
    const r = JSON.parse(process.argv[2]); const c = r.counters;
    const w = r.seconds / 60;
    console.log(`| ${process.argv[1]} | ${Math.round(r.calls / w)} | ${(r.server_cpu_ms / w).toFixed(0)} | ${Math.round(c.chargeplane_telemetry_values_total / w)} | ${Math.round(c.chargeplane_telemetry_samples_downsampled_total / w)} | ${r.call_errors} |`);
  ' "$1" "$2"
}
out="$here/results/acquisition-$(date -u +%Y-%m-%dT%H%M%SZ).md"
{
  echo "Acquisition policy, $PILES piles, ${WINDOW} s window, $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo
  echo "| setting | MeterValues / min | server CPU ms / min | values stored / min | samples down-sampled / min | errors |"
  echo "|---|---:|---:|---:|---:|---:|"
  row "policy 10 s, piles follow it" "$r1"
  row "policy 60 s, piles follow it" "$r2"
  row "policy 60 s, piles ignore it (10 s)" "$r3"
} | tee "$out"
