#!/usr/bin/env bash
# Benchmarks ChargePlane against the transport floor and a peer implementation, same load:
#   chargeplane  the real server (auth, validation, services, SQLite, acknowledge-after-durable)
#   floor        bench/floor_server: Beast WebSocket, answers [3,id,{}] without parsing
#   floor-lean   the same with --lean: ChargePlane's own transport set-up (no tcp_stream timer,
#                no strand, concrete executor); not in the default set
#   floor-coalesce  the floor with --lean --coalesce 100: ChargePlane's transport set-up and its
#                way of gathering events under load (src/core/io_loop.h); not in the default set
#   ocpp-rpc     bench/peer-ocpp-rpc/server.js: node ocpp-rpc RPCServer, strict schema validation
# For each: start it, (chargeplane: register the piles through the API), connect N idle piles
# and measure RSS per idle connection, then run the closed-loop MeterValues load and measure
# server CPU per 1,000 calls (utime+stime from /proc/<pid>/stat over the load window).
#
#   bench/run.sh <build-dir>
# Environment: SERVERS="chargeplane floor ocpp-rpc"  LOAD_PILES=200  DURATION=20  WARMUP=3
#              IDLE_PILES=10000 (capped by the fd limit)  LOADGEN_WORKERS=1
#              SERVER_THREADS=1: I/O threads of chargeplane (`--threads`; its store writer is one
#              more thread) and of the floor; the node peer runs one event loop. One I/O thread is
#              the cheapest per call for all three: a second one only adds handoffs and locking.
# Writes bench/results/<date>.md and prints the same table.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "${1:?usage: bench/run.sh <build-dir>}" && pwd)"
SERVERS="${SERVERS:-chargeplane floor ocpp-rpc}"
LOAD_PILES="${LOAD_PILES:-200}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-3}"
LOADGEN_WORKERS="${LOADGEN_WORKERS:-1}"
SERVER_THREADS="${SERVER_THREADS:-1}"
PASSWORD="bench-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ADMIN_PASSWORD="bench-admin-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)"

# Every connection is a descriptor in the server and one in the load generator: raise the soft
# limit to the hard one (inherited by both) and size the idle test to fit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit="$(ulimit -n)"
want_idle="${IDLE_PILES:-10000}"
if [[ "$fd_limit" == unlimited ]]; then fd_limit=1048576; fi
max_idle=$(( (fd_limit - 1000) / 1000 * 1000 ))
IDLE_PILES=$(( want_idle < max_idle ? want_idle : max_idle ))
idle_note="N=${IDLE_PILES} (fd limit ${fd_limit})"
[[ $IDLE_PILES -lt $want_idle ]] && idle_note="N=${IDLE_PILES}, the most the fd limit ${fd_limit} allows"

if [[ ! -d "$here/node_modules/ws" || ! -d "$here/node_modules/ocpp-rpc" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d -t chargeplane-bench.XXXXXX)"
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT

# wait_ready <stdout-file> <regex>: prints the first matching line (30 s limit)
wait_ready() {
  for _ in $(seq 1 300); do
    if line="$(grep -m1 -E "$2" "$1")"; then echo "$line"; return 0; fi
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

loadgen() { node "$here/loadgen.js" "$@"; }
results="$work/results.jsonl"
: >"$results"

bench_one() {  # bench_one <name> <ws-base-url> <auth: yes|no>
  local name="$1" url="$2" auth="$3" idle load
  local extra=()
  [[ "$auth" == yes ]] && extra=(--password "$PASSWORD" --boot)
  echo "bench: $name: $IDLE_PILES idle connections" >&2
  idle="$(loadgen idle --url "$url" --piles "$IDLE_PILES" --prefix BENCH --server-pid "$server_pid" "${extra[@]}")"
  echo "bench: $name: load, $LOAD_PILES piles, ${DURATION}s" >&2
  load="$(loadgen load --url "$url" --piles "$LOAD_PILES" --prefix BENCH --duration "$DURATION" --warmup "$WARMUP" \
          --workers "$LOADGEN_WORKERS" --server-pid "$server_pid" "${extra[@]}")"
  printf '{"name":"%s","idle":%s,"load":%s}\n' "$name" "$idle" "$load" >>"$results"
}

for server in $SERVERS; do
  case "$server" in
    floor | floor-lean | floor-coalesce)
      lean=(); label="floor (Beast, no parsing)"
      [[ $server == floor-lean ]] && lean=(--lean) && label="floor, lean (Beast, no parsing)"
      [[ $server == floor-coalesce ]] && lean=(--lean --coalesce 100) && label="floor, lean, coalescing (Beast, no parsing)"
      "$build/bench/floor_server" --threads "$SERVER_THREADS" "${lean[@]}" >"$work/floor.out" 2>&1 &
      server_pid=$!
      line="$(wait_ready "$work/floor.out" '^floor ready')" || { echo "bench: floor did not start" >&2; exit 1; }
      bench_one "$label" "ws://127.0.0.1:${line##*port=}/ocpp" no
      stop_server ;;
    ocpp-rpc)
      node "$here/peer-ocpp-rpc/server.js" >"$work/peer.out" 2>&1 &
      server_pid=$!
      line="$(wait_ready "$work/peer.out" '^peer ready')" || { echo "bench: peer did not start" >&2; exit 1; }
      bench_one "ocpp-rpc 2.2.1 (node, strict)" "ws://127.0.0.1:${line##*port=}/ocpp" no
      stop_server ;;
    chargeplane)
      if [[ ! -x "$build/chargeplane" ]]; then
        echo "bench: $build/chargeplane not built; skipping" >&2
        printf '{"name":"chargeplane","pending":"binary not built"}\n' >>"$results"
        continue
      fi
      CHARGEPLANE_ADMIN_PASSWORD="$ADMIN_PASSWORD" "$build/chargeplane" serve --data-dir "$work/cp-data" \
        --listen-ocpp 127.0.0.1:0 --listen-api 127.0.0.1:0 --listen-ykc 127.0.0.1:0 \
        --messages-per-second 1000000 --message-burst 1000000 --threads "$SERVER_THREADS" >"$work/cp.out" 2>"$work/cp.err" &
      server_pid=$!
      if ! line="$(wait_ready "$work/cp.out" '^chargeplane ready ')"; then
        echo "bench: chargeplane serve did not become ready" >&2
        tail -n 20 "$work/cp.err" >&2 || true
        printf '{"name":"chargeplane","pending":"serve did not become ready"}\n' >>"$results"
        stop_server
        continue
      fi
      ocpp_url="$(sed -n 's/.* ocpp=\([^ ]*\).*/\1/p' <<<"$line")"
      api_url="$(sed -n 's/.* api=\([^ ]*\).*/\1/p' <<<"$line")"
      registered=$(( IDLE_PILES > LOAD_PILES ? IDLE_PILES : LOAD_PILES ))  # both sets share the prefix
      echo "bench: chargeplane: registering $registered piles through the API" >&2
      loadgen register --api "$api_url" --admin-password "$ADMIN_PASSWORD" --password "$PASSWORD" \
        --piles "$registered" --prefix BENCH --concurrency 16 >&2
      bench_one "ChargePlane (SQLite)" "$ocpp_url" yes
      stop_server ;;
    *) echo "bench: unknown server $server" >&2; exit 2 ;;
  esac
done

mkdir -p "$here/results"
out="$here/results/$(date -u +%Y-%m-%dT%H%M%SZ).md"
LOAD_PILES="$LOAD_PILES" DURATION="$DURATION" WARMUP="$WARMUP" node - "$results" "$idle_note" >"$out" <<'JS'
const [file, idleNote] = process.argv.slice(2);
const rows = require('fs').readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(JSON.parse);
const os = require('os');
const cpu = os.cpus()[0]?.model ?? 'unknown';
const env = process.env;
console.log(`# Bench ${new Date().toISOString()}\n`);
console.log(`Machine: ${os.cpus().length} CPUs, ${cpu}, Linux ${os.release()}, node ${process.version}.`);
console.log(`Load: ${env.LOAD_PILES} piles, closed loop of MeterValues (8 sampled values), ${env.DURATION} s after ${env.WARMUP} s warm-up, ` +
  `load generator and server on the same machine. Idle: ${idleNote}.\n`);
console.log('| server | calls/s | p50 ms | p99 ms | server CPU ms / 1,000 calls | RSS KiB / idle conn | errors |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  if (r.pending) { console.log(`| ${r.name} | pending: ${r.pending} | | | | | |`); continue; }
  const l = r.load; const i = r.idle;
  const errs = [l.connect_errors && `${l.connect_errors} connect`, l.call_errors && `${l.call_errors} call`,
    i.connect_errors && `${i.connect_errors} idle connect`].filter(Boolean).join(', ') || 'none';
  console.log(`| ${r.name} | ${l.calls_per_s} | ${l.p50_ms} | ${l.p99_ms} | ${l.cpu_ms_per_1000_calls} | ${i.rss_per_conn_kib} (${i.connected} conns) | ${errs} |`);
}
JS
cat "$out"
echo "bench: written to $out" >&2
