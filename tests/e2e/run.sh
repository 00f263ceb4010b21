#!/usr/bin/env bash
# End-to-end: the node suites (node --test; ocpp-rpc in strict mode, raw ws) against a fresh
# `chargeplane serve` started by tests/support/with_server.sh, which also requires the server to
# stop cleanly afterwards.   Usage: tests/e2e/run.sh <path-to-chargeplane> [suite.test.mjs ...]
# The server runs on one I/O thread (sessions without strands, as benchmarked); the integration
# suite and the browser suite run it on several (a strand per session).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:?usage: tests/e2e/run.sh <path-to-chargeplane> [suite ...]}"
shift
if [[ ! -d "$here/node_modules/ocpp-rpc" || ! -d "$here/node_modules/ws" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=("$here"/*.test.mjs)
CP_SERVE_THREADS="${CP_SERVE_THREADS:-1}" exec bash "$here/../support/with_server.sh" e2e "$bin" 3 -- \
  node --test --test-concurrency=1 --test-reporter=spec "${suites[@]}"
