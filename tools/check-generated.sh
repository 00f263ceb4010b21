#!/usr/bin/env bash
# Fails when the committed OCPP code under src/protocol/ocpp/v16/generated differs from what
# tools/gen_ocpp.py produces from the schemas (someone edited generated code, or changed the
# generator or the schemas without regenerating). Run from anywhere; `make check-generated`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
schemas="$root/third_party/ocpp-schemas/ocpp1.6"
shared="$root/../shared/ocpp-schemas/ocpp1.6"
committed="$root/src/protocol/ocpp/v16/generated"

# The vendored schemas must be the shared ones, unchanged (when the shared copy is beside us).
if [ -d "$shared" ] && ! diff -r "$shared" "$schemas" >/dev/null; then
  echo "check-generated: third_party/ocpp-schemas/ocpp1.6 differs from $shared; copy it again" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

python3 "$root/tools/gen_ocpp.py" --schemas "$schemas" --version 1.6 --out "$tmp/generated" >/dev/null
if ! diff -r "$committed" "$tmp/generated" >"$tmp/diff"; then
  cat "$tmp/diff" | head -200
  echo
  echo "check-generated: src/protocol/ocpp/v16/generated is out of date with tools/gen_ocpp.py and the schemas."
  echo "  Regenerate with 'make generate' and commit the result; never edit generated files by hand."
  exit 1
fi
echo "check-generated: src/protocol/ocpp/v16/generated is up to date"
