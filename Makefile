# Front door. README's quick start is `make demo` and `make test`; both install what they need first.
SHELL := /bin/bash
# A failing command in a pipeline (a fuzzer piped to tail) must fail the target.
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := demo
FUZZ_SECONDS ?= 30
# The small parsers (a gate's answer, a receipt, the webhook's signature header; SMALL in tests/fuzz/CMakeLists.txt)
# are shallow: a third of the time finds what the whole would.
GATE_FUZZ_SECONDS ?= 10
CXX_SOURCES = $(shell git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' 2>/dev/null || find native-host protocol publisher tests bench -name '*.[ch]pp')

.PHONY: demo test deps build test-unit test-asan test-js test-e2e test-package package fuzz lint format bench clean

## deps: system packages (apt, idempotent) and the npm packages: the JS tests and lint, and the chart library the gate builds in
deps: node_modules/.installed
	@bash installer/setup-deps.sh

node_modules/.installed: package.json package-lock.json
	@bash installer/setup-deps.sh
	npm ci --no-audit --no-fund
	@touch $@

## build: the development build (debug info, assertions)
build: deps
	cmake --preset dev
	cmake --build --preset dev

## demo: the main job: a bundle with its landing page, gate, mock checkout and seed on 127.0.0.1 (Ctrl-C stops)
demo: build
	node demo/run.mjs

## test: every test: lint, unit + integration (dev), JS, the same suite under ASan+UBSan, and the fuzzer
test: deps lint test-unit test-js test-e2e test-package test-asan fuzz
	@echo "all tests passed"

test-unit: build
	ctest --preset dev

test-js: build
	SLUICE_HOST_BIN=$(CURDIR)/build/dev/native-host/sluice-host npm test

## test-e2e: the extension in real Chromium and Firefox ESR, against the real host, gate and a seed
test-e2e: build
	SLUICE_HOST_BIN=$(CURDIR)/build/dev/native-host/sluice-host node --test --test-concurrency=1 \
	    tests/e2e/

## test-package: the .deb (packed from the dev build): its files, its maintainer scripts, and an install /
## upgrade / remove / purge round trip with dpkg in a throwaway root
test-package: build
	rm -f build/dev/sluice_*.deb
	cd build/dev && cpack -G DEB
	SLUICE_DEB=$$(ls $(CURDIR)/build/dev/sluice_*.deb) node --test tests/package/

## package: the .deb for users (optimised binaries, the extension, docs, the gate's systemd unit)
package: deps
	cmake --preset package
	cmake --build --preset package
	cd build/package && cpack -G DEB
	@ls build/package/sluice_*.deb

## test-asan: the unit and integration suites under ASan+UBSan. This build and the fuzzers' are unity builds
## (eight sources per compile: Beast and Asio are instantiated once per batch, not once per file) and keep line
## tables only (-g1), both set in CMakePresets.json: nobody edits in them, and they compile in about half the
## time. A unity build needs names in a file's anonymous namespace to be unique within its library.
test-asan: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan --label-exclude 'interop|slow'

## fuzz: every fuzzer tests/fuzz/CMakeLists.txt registers, each for FUZZ_SECONDS (GATE_FUZZ_SECONDS if small)
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz --target fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) GATE_FUZZ_SECONDS=$(GATE_FUZZ_SECONDS) \
	    tests/fuzz/run_all.sh build/fuzz/tests/fuzz/fuzzers.list build/fuzz

lint: deps
	@clang-format --dry-run -Werror $(CXX_SOURCES) && echo "clang-format: clean"
	@# Includes are rooted (at native-host/src, or <sluice/...>): a relative one could reach a folder above.
	@! grep -n '#include "\.\./' $(CXX_SOURCES) || { echo "relative includes found (above)"; exit 1; }
	npm run --silent lint
	npm run --silent lint-firefox

format:
	clang-format -i $(CXX_SOURCES)

## bench: benchmarks in an optimised build; they print ratios against a reference measured in the same run
bench: deps
	cmake --preset release
	cmake --build --preset release
	build/release/bench/nm_roundtrip
	build/release/bench/stream_bench
	build/release/bench/locked_bench
	build/release/bench/bundle_create_bench
	build/release/bench/gate_bench
	build/release/bench/media_bench
	SLUICE_HOST_BIN=$(CURDIR)/build/release/native-host/sluice-host node bench/js/media_first_frame.mjs

clean:
	rm -rf build
