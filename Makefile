# T1D eDiary: `make run` and `make test` on a fresh Debian machine with Rust.
# Everything missing (wasm target, wasm-bindgen-cli, Debian
# packages, npm packages for the browser tests) is installed on the way.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
# Leptos reads this at compile time: every build sets it alike so cargo-leptos
# and plain cargo share one set of artifacts.
export LEPTOS_OUTPUT_NAME := ediary

CARGO_LEPTOS_VERSION := 0.3.8
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)

# The release site (make run) and the debug site (make test) live apart, so
# one never clobbers the other.
RELEASE_SITE := target/site
DEBUG_SITE := target/site-debug
RELEASE_BIN := $(CARGO_TARGET_DIR)/release/ediary
DEBUG_BIN := $(CARGO_TARGET_DIR)/debug/ediary
SOURCES := Cargo.toml Cargo.lock $(shell find app server frontend phone-frontend style public migrations tools -type f 2>/dev/null)
RELEASE_STAMP := $(CARGO_TARGET_DIR)/release/.ediary-site

.PHONY: help run dev test deps-run deps-test tools tools-dev build build-debug lint unit-and-integration test-clock schemathesis browser bench lighthouse clean

help:
	@echo "make run    build and serve the app with a demo study at http://127.0.0.1:3000"
	@echo "make dev    the same, rebuilt and restarted on every change (installs cargo-leptos)"
	@echo "make test   formatting, clippy (ssr and hydrate), unit and integration tests on"
	@echo "            SQLite and PostgreSQL, under faketime, schemathesis, browser tests"
	@echo "make bench  start-up, sign-in, sync, study-scale and phone first-tap figures,"
	@echo "            WASM size, Lighthouse (make lighthouse alone)"
	@echo "            (BENCHMARKS.md)"

## Installing what is missing ------------------------------------------------

# What is needed beyond Rust, as "command:Debian package" pairs; a package is
# installed when its command is missing.
RUN_NEEDS := wasm-strip:wabt brotli:brotli
TEST_NEEDS := pg_ctlcluster:postgresql chromium:chromium node:nodejs npm:npm python3:python3 faketime:faketime nginx:nginx openssl:openssl

define install_missing
	@missing=""; \
	for pair in $(1); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps-run:
	$(call install_missing,$(RUN_NEEDS))

deps-test:
	$(call install_missing,$(RUN_NEEDS) $(TEST_NEEDS))
	@# The Chinese screenshots of the browser tests need a CJK font.
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null; }
	@# schemathesis gets a virtual environment of its own.
	@python3 -c 'import ensurepip, venv' 2>/dev/null || { \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null; }

# What every build needs: the WASM target and wasm-bindgen-cli at exactly the
# version of Cargo.lock (its JS must match the wasm-bindgen crate).
tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" || \
	  env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

# cargo-leptos only for the watch loop of `make dev` (about 600 crates).
tools-dev: tools
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)$$" || \
	  env -u CARGO_TARGET_DIR cargo install --locked cargo-leptos --version $(CARGO_LEPTOS_VERSION) --features no_downloads

## Running ---------------------------------------------------------------------

$(RELEASE_STAMP): $(SOURCES)
	tools/build.sh release $(RELEASE_SITE)
	@touch $@

build: deps-run tools $(RELEASE_STAMP)

run: build
	@mkdir -p data
	EDIARY_STAFF_MFA=off LEPTOS_SITE_ROOT=$(RELEASE_SITE) $(RELEASE_BIN) serve --demo

# Rebuilds and restarts on every change (cargo-leptos watch, debug build,
# its own site folder and data folder).
DEV_SITE := target/site-dev
dev: deps-run tools-dev
	tools/phone-bundle.sh debug $(DEV_SITE)
	@mkdir -p data-dev
	EDIARY_STAFF_MFA=off EDIARY_DATA_DIR=data-dev LEPTOS_SITE_ROOT=$(DEV_SITE) cargo leptos watch

## Testing ---------------------------------------------------------------------

build-debug: deps-test tools
	tools/build.sh debug $(DEBUG_SITE)

lint: tools
	cargo fmt --all -- --check
	cargo clippy -p app -p server -p ediary-tests --all-targets -- -D warnings
	cargo clippy -p app -p frontend -p phone-frontend --all-targets --target wasm32-unknown-unknown -- -D warnings

# Servers under test write their panics here; any at all fails the run.
TEST_LOGS := $(CARGO_TARGET_DIR)/test-logs

unit-and-integration: build-debug
	rm -rf $(TEST_LOGS)/integration
	EDIARY_BIN=$(DEBUG_BIN) EDIARY_TEST_LOG_DIR=$(TEST_LOGS)/integration tests/with-postgres.sh cargo test --workspace --exclude frontend --exclude phone-frontend
	tests/check-panics.sh $(TEST_LOGS)/integration

# The suites that count site days, under libfaketime at several times of
# day and around daylight-saving changes (tests/clock/run.sh).
test-clock: build-debug
	rm -rf $(TEST_LOGS)/clock
	EDIARY_BIN=$(DEBUG_BIN) EDIARY_TEST_LOG_DIR=$(TEST_LOGS)/clock tests/with-postgres.sh tests/clock/run.sh
	tests/check-panics.sh $(TEST_LOGS)/clock

browser: build-debug
	EDIARY_BIN=$(DEBUG_BIN) LEPTOS_SITE_ROOT=$(DEBUG_SITE) tests/browser/run.sh

# schemathesis (PyPI, pinned) against /api/openapi.json as each role and
# anonymously (tests/schemathesis/run.sh); SCHEMATHESIS_EXAMPLES per operation.
SCHEMATHESIS_VERSION := 4.32.5
SCHEMATHESIS_VENV := $(CARGO_TARGET_DIR)/schemathesis/venv
SCHEMATHESIS_EXAMPLES ?= 25

$(SCHEMATHESIS_VENV)/bin/schemathesis:
	rm -rf $(SCHEMATHESIS_VENV)
	python3 -m venv $(SCHEMATHESIS_VENV)
	$(SCHEMATHESIS_VENV)/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)

schemathesis: build-debug $(SCHEMATHESIS_VENV)/bin/schemathesis
	@$(SCHEMATHESIS_VENV)/bin/schemathesis --version | grep -q " $(SCHEMATHESIS_VERSION)$$" || \
	  $(SCHEMATHESIS_VENV)/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)
	EDIARY_BIN=$(DEBUG_BIN) SCHEMATHESIS=$(SCHEMATHESIS_VENV)/bin/schemathesis \
	  EDIARY_TEST_LOG_DIR=$(TEST_LOGS)/schemathesis tests/schemathesis/run.sh --max-examples $(SCHEMATHESIS_EXAMPLES)

test: deps-test tools lint unit-and-integration test-clock schemathesis browser

## Measuring -------------------------------------------------------------------

bench: build
	EDIARY_BIN=$(RELEASE_BIN) LEPTOS_SITE_ROOT=$(RELEASE_SITE) cargo run --release -p ediary-tests --bin startup-bench
	EDIARY_BIN=$(RELEASE_BIN) cargo run --release -p ediary-tests --bin signin-bench -- 100 1000
	EDIARY_BIN=$(RELEASE_BIN) tests/with-postgres.sh cargo run --release -p ediary-tests --bin sync-bench -- 200 10
	EDIARY_BIN=$(RELEASE_BIN) cargo run --release -p ediary-tests --bin study-bench -- 1000 365
	$(call install_missing,$(TEST_NEEDS))
	EDIARY_BIN=$(RELEASE_BIN) LEPTOS_SITE_ROOT=$(RELEASE_SITE) tests/browser/run.sh first-tap.bench.mjs 5
	$(MAKE) lighthouse

# Lighthouse's mobile audit of /, /enroll and /diary (npm's lighthouse, pinned
# in tests/lighthouse, with Debian's Chromium) on the release server.
lighthouse: build
	$(call install_missing,chromium:chromium node:nodejs npm:npm)
	cd tests/lighthouse && { cmp -s package-lock.json node_modules/.ediary-installed-lock 2>/dev/null || { \
	  npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.ediary-installed-lock; }; }
	EDIARY_BIN=$(RELEASE_BIN) LEPTOS_SITE_ROOT=$(RELEASE_SITE) node tests/lighthouse/audit.mjs 3

clean:
	cargo clean
	rm -rf $(RELEASE_SITE) $(DEBUG_SITE)
