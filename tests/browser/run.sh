#!/usr/bin/env bash
# Browser tests of the operator console: the node suites drive Debian's chromium through
# playwright-core against a fresh `chargeplane serve` (tests/support/with_server.sh), which serves
# the console built into <build>/web; the suites start simulated piles with `chargeplane sim`.
# Screenshots go to <build>/browser-artifacts/.   Usage: tests/browser/run.sh <path-to-chargeplane> [suite ...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:?usage: tests/browser/run.sh <path-to-chargeplane> [suite ...]}"
shift
[[ -x "$bin" ]] || { echo "browser: $bin is not an executable" >&2; exit 2; }
build_dir="$(cd "$(dirname "$bin")" && pwd)"
chromium="${CP_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || { echo "browser: $chromium is missing (tools/install-deps.sh installs Debian's chromium)" >&2; exit 2; }
[[ -f "$build_dir/web/index.html" ]] || { echo "browser: $build_dir/web/index.html is missing: build the console (make build)" >&2; exit 2; }
if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=("$here"/*.test.mjs)
mkdir -p "$build_dir/browser-artifacts"
echo "browser: screenshots go to $build_dir/browser-artifacts"
CP_CHROMIUM="$chromium" CP_ARTIFACTS="$build_dir/browser-artifacts" \
  exec bash "$here/../support/with_server.sh" browser "$bin" 5 -- \
  node --test --test-concurrency=1 --test-reporter=spec "${suites[@]}"
