# ChargePlane — the two quick-start commands:
#   make demo   install dependencies, build, start the platform with a mixed simulated fleet
#               (50 OCPP 1.6 piles, 10 YKC piles in clear, 5 YKC piles with 3DES)
#   make test   build and run every test suite (unit, integration, end-to-end, browser)
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_PILES ?= 50

# `make test` builds once, with AddressSanitizer + UBSan at -O0 (cheaper to compile than a release
# build plus a second sanitized one), and runs every suite on that build: the servers the
# integration, e2e and browser suites start are sanitized too. `make build` / `make demo` use the
# optimised tree in $(BUILD_DIR).
TEST_DIR ?= build-test
TEST_CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DCP_SANITIZE=ON
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 45

.PHONY: all deps build configure test test-build unit integration e2e browser fuzz demo bench bench-console generate check-generated clean

all: build

deps:
	@bash tools/install-deps.sh

configure:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE integration

integration: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -L integration

e2e: build
	@bash tests/e2e/run.sh $(BUILD_DIR)/chargeplane

# The operator console in Debian's chromium (playwright-core) against serve + sim.
browser: build
	@bash tests/browser/run.sh $(BUILD_DIR)/chargeplane

test: deps test-build
	@$(MAKE) --no-print-directory check-generated
	@cd $(TEST_DIR) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS)
	@$(SANITIZER_ENV) bash tests/e2e/run.sh $(TEST_DIR)/chargeplane
	@$(SANITIZER_ENV) bash tests/browser/run.sh $(TEST_DIR)/chargeplane
	@$(MAKE) --no-print-directory fuzz

test-build:
	@cmake -S . -B $(TEST_DIR) -G Ninja $(TEST_CMAKE_FLAGS) >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)

# libFuzzer (clang) on the YKC frame assembler and body decoders, bounded time, seeded from the
# golden frames in tests/data/ykc; skipped with a message when clang is missing.
fuzz:
	@JOBS=$(JOBS) bash tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

demo: deps build
	@bash tools/demo.sh $(BUILD_DIR)/chargeplane $(DEMO_PILES)

bench: build
	@bash bench/run.sh $(BUILD_DIR)

bench-console: build
	@bash bench/browser/run.sh $(BUILD_DIR)

generate:
	@python3 tools/gen_ocpp.py --schemas third_party/ocpp-schemas/ocpp1.6 --version 1.6 --out src/protocol/ocpp/v16/generated

check-generated:
	@bash tools/check-generated.sh

clean:
	@rm -rf $(BUILD_DIR) $(TEST_DIR) $(FUZZ_DIR)
