#!/usr/bin/env bash
# YKC gateway benchmark (BENCHMARKS.md "YKC"): N piles connected to `chargeplane serve`, sending
# real-time data (0x13) together at RATE frames/s; reports frames stored per second and server
# CPU ms per 1,000 frames, once with clear frames and once with 3DES-encrypted frames.
#   bench/ykc.sh <build-dir>     env: PILES (10000), RATE (2000), DURATION (15), WARMUP (5)
set -euo pipefail
build="${1:?usage: bench/ykc.sh <build-dir>}"
PILES="${PILES:-10000}" RATE="${RATE:-2000}" DURATION="${DURATION:-15}" WARMUP="${WARMUP:-5}"
KEY=0123456789ABCDEFFEDCBA9876543210
ulimit -n "$(ulimit -Hn)"
work="$(mktemp -d)"
server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

CHARGEPLANE_ADMIN_PASSWORD=bench-admin-password "$build/chargeplane" serve --data-dir "$work/data" \
  --listen-ocpp 127.0.0.1:0 --listen-api 127.0.0.1:0 --listen-ykc 127.0.0.1:0 --log-level warn \
  --ykc-frames-per-second 1000 --ykc-frame-burst 1000 --ykc-heartbeat-timeout 600 >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 1 300); do grep -q '^chargeplane ready' "$work/out" 2>/dev/null && break; sleep 0.1; done
ready="$(grep -m1 '^chargeplane ready' "$work/out")"
api="$(sed -n 's/.* api=\([^ ]*\).*/\1/p' <<<"$ready")"
ykc_port="$(sed -n 's/.* ykc=tcp:\/\/[^:]*:\([0-9]*\).*/\1/p' <<<"$ready")"
token="$(curl -s "$api/api/v1/auth/login" -d '{"username":"admin","password":"bench-admin-password"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"

register() {  # first-number cipher
  local first=$1 cipher=$2
  seq 0 $((PILES - 1)) | xargs -P 16 -I{} sh -c '
    n=$(printf "%014d" $(( '"$first"' + {} )))
    if [ "'"$cipher"'" = none ]; then body="{\"id\":\"$n\",\"protocol\":\"ykc\"}";
    else body="{\"id\":\"$n\",\"protocol\":\"ykc\",\"encryption\":{\"cipher\":\"3des\",\"key\":\"'"$KEY"'\"}}"; fi
    curl -s -o /dev/null -H "Authorization: Bearer '"$token"'" "'"$api"'/api/v1/piles" -d "$body"'
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
frames_ok() { curl -s "$api/metrics" | awk '/^chargeplane_ykc_frames_total\{type="0x13",result="ok"\}/ {print $2}' | head -1; }

run() {  # label first-number key
  local label=$1 first=$2 key=$3 args=()
  [[ -n "$key" ]] && args=(--key "$key")
  "$build/bench/ykc_load" --port "$ykc_port" --piles "$PILES" --rate "$RATE" --warmup "$WARMUP" \
    --duration "$DURATION" --first "$first" "${args[@]}" >"$work/load.$label" &
  local load_pid=$!
  while ! grep -q window_start "$work/load.$label" 2>/dev/null; do sleep 0.05; done
  local t0 f0 t1 f1; t0=$(cpu_ticks); f0=$(frames_ok); f0=${f0:-0}
  while ! grep -q window_end "$work/load.$label" 2>/dev/null; do sleep 0.05; done
  t1=$(cpu_ticks); f1=$(frames_ok)
  wait "$load_pid"
  local hz; hz=$(getconf CLK_TCK)
  local stored=$(( ${f1%.*} - ${f0%.*} ))
  local cpu_ms=$(( (t1 - t0) * 1000 / hz ))
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
  printf '| %s | %s | %s | %.0f | %.1f | %s |\n' "$label" "$(sed -n 's/logged_in=\([0-9]*\).*/\1/p' "$work/load.$label")" \
    "$(sed -n 's/.*rate=\([0-9.]*\).*/\1/p' "$work/load.$label")" "$(echo "$stored / $DURATION" | bc -l)" \
    "$(echo "$cpu_ms * 1000 / $stored" | bc -l)" "$rss"
}

register 32010600000000 none
register 32020600000000 3des
echo "| frames | piles logged in | sent/s | stored/s | server CPU ms per 1,000 frames | server RSS KiB |"
echo "|---|---|---|---|---|---|"
run clear 32010600000000 ""
run 3des 32020600000000 "$KEY"
