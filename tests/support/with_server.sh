#!/usr/bin/env bash
# Runs a command against a fresh `chargeplane serve`: ephemeral loopback ports, a temporary data
# dir, a generated admin password. Waits for the server's ready line, exports CP_BINARY,
# CP_OCPP_URL, CP_API_URL, CP_YKC_ADDRESS (host:port), CP_ADMIN_PASSWORD and CP_WORK (a scratch
# dir removed afterwards) to the command, then stops the server with SIGTERM and requires a clean exit (status 0 within
# 20 s): a crash, a hang on shutdown or a sanitizer report at exit fails the run even when the
# command passed. Prints the server's last log lines on any failure.
# Usage: tests/support/with_server.sh <label> <path-to-chargeplane> <call-timeout-s> -- <command ...>
# CP_SERVE_THREADS=N passes `--threads N` (default: the server's own, one per core).
set -euo pipefail

label="${1:?usage: with_server.sh <label> <chargeplane> <call-timeout-s> -- <command ...>}"
bin="${2:?missing chargeplane path}"
call_timeout="${3:?missing call timeout}"
shift 3
[[ "${1:-}" == "--" ]] && shift
[[ $# -gt 0 ]] || { echo "$label: no command to run" >&2; exit 2; }
[[ -x "$bin" ]] || { echo "$label: $bin is not an executable" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

work="$(mktemp -d -t "chargeplane-$label.XXXXXX")"
server_pid=""
server_log() { echo "$label: last server log lines:" >&2; tail -n 80 "$work/stderr" >&2 || true; }
# Stops the server; sets server_rc to its exit status, 124 when a watchdog had to kill it after
# 20 s. (Runs in this shell, not a subshell: only the parent can `wait` for the server's status;
# `kill -0` cannot tell, as an exited but unreaped child still answers it.)
server_rc=""
stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  ( sleep 20; kill -KILL "$server_pid" 2>/dev/null && echo killed >"$work/watchdog" ) >/dev/null 2>&1 &
  local watchdog=$!
  server_rc=0
  wait "$server_pid" || server_rc=$?
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  [[ -f "$work/watchdog" ]] && server_rc=124
  return 0
}
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

admin_password="$label-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
CHARGEPLANE_ADMIN_PASSWORD="$admin_password" "$bin" serve --data-dir "$work/data" \
  --listen-ocpp 127.0.0.1:0 --listen-api 127.0.0.1:0 --listen-ykc 127.0.0.1:0 \
  --call-timeout "$call_timeout" ${CP_SERVE_THREADS:+--threads "$CP_SERVE_THREADS"} \
  >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

ready=""
for _ in $(seq 1 600); do
  ready="$(grep -m1 '^chargeplane ready ' "$work/stdout" || true)"
  [[ -n "$ready" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "$label: the server exited before it was ready" >&2
    cat "$work/stderr" >&2
    exit 1
  fi
  sleep 0.1
done
[[ -n "$ready" ]] || { echo "$label: no ready line within 60 s" >&2; server_log; exit 1; }
ocpp_url="$(sed -n 's/.* ocpp=\([^ ]*\).*/\1/p' <<<"$ready")"
api_url="$(sed -n 's/.* api=\([^ ]*\).*/\1/p' <<<"$ready")"
ykc_address="$(sed -n 's/.* ykc=tcp:\/\/\([^ ]*\).*/\1/p' <<<"$ready")"
echo "$label: server ready (ocpp=$ocpp_url api=$api_url)"

mkdir -p "$work/scratch"
status=0
CP_BINARY="$bin" CP_OCPP_URL="$ocpp_url" CP_API_URL="$api_url" CP_YKC_ADDRESS="$ykc_address" CP_ADMIN_PASSWORD="$admin_password" \
  CP_WORK="$work/scratch" "$@" || status=$?

stop_server
server_pid=""
if [[ $status -ne 0 ]]; then
  echo "$label: FAILED (status $status)" >&2
  server_log
  exit "$status"
fi
if [[ "$server_rc" != 0 ]]; then
  case "$server_rc" in
    124) echo "$label: FAILED: the server did not stop within 20 s of SIGTERM" >&2 ;;
    *) echo "$label: FAILED: the server exited with status $server_rc on SIGTERM (crash or sanitizer report)" >&2 ;;
  esac
  server_log
  exit 1
fi
echo "$label: server stopped cleanly"
