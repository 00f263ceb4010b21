#!/usr/bin/env bash
# Installs what ChargePlane needs to build, test and run on Debian 12 (apt-get, npm ci).
# Idempotent and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
PKGS=(build-essential cmake ninja-build ccache pkg-config python3
      libboost1.81-all-dev libssl-dev libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev
      libcli11-dev libtomlplusplus-dev libjemalloc-dev googletest libgtest-dev libgmock-dev libbenchmark-dev
      nodejs npm clang libclang-rt-14-dev chromium)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node from another source (e.g. nodesource) also provides npm
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}"); missing=("${missing[@]/nodejs}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
for dir in tests/e2e bench web tests/browser; do
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" -o "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
done
