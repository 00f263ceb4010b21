#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (default 45 s):
# ykc_frame_fuzz from the YKC golden-frame seed corpus, ocpp_call_fuzz (the OCPP streaming
# decoder against the tree decoder) from instances of every OCPP 1.6 schema, with a dictionary
# of their property names and enum values. Skips (exit 0, with a message) when
# clang/libFuzzer is missing.
# Usage: tests/fuzz/run.sh [build-dir] [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build-fuzz}
SECONDS_TO_RUN=${2:-45}
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ not found, skipping (tools/install-deps.sh installs it)"; exit 0
fi
cmake -S tests/fuzz -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "${JOBS:-2}"
rm -rf "$BUILD/corpus" "$BUILD/ocpp-corpus" && python3 tests/fuzz/seed_corpus.py "$BUILD/corpus"
python3 tests/fuzz/ocpp_seeds.py "$BUILD/ocpp-corpus" "$BUILD/ocpp.dict"
mkdir -p "$BUILD/artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "fuzz: ykc_frame_fuzz, ${SECONDS_TO_RUN} s"
"$BUILD/ykc_frame_fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=2048 -timeout=10 -rss_limit_mb=1024 \
  -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/" "$BUILD/corpus" 2>&1 | tail -n 25
echo "fuzz: ocpp_call_fuzz, ${SECONDS_TO_RUN} s"
"$BUILD/ocpp_call_fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
  -dict="$BUILD/ocpp.dict" -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/" "$BUILD/ocpp-corpus" 2>&1 | tail -n 25
