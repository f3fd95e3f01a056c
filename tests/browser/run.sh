#!/usr/bin/env bash
# Browser tests: the real server (EDIARY_BIN) with the built site
# (LEPTOS_SITE_ROOT), driven by playwright-core in Debian's Chromium.
# `run.sh` runs every *.test.mjs; `run.sh NAME.bench.mjs [ARGS]` runs a bench.
set -euo pipefail
: "${EDIARY_BIN:?set EDIARY_BIN to the ediary binary}"
: "${LEPTOS_SITE_ROOT:?set LEPTOS_SITE_ROOT to the built site}"
EDIARY_BIN=$(realpath "$EDIARY_BIN")
LEPTOS_SITE_ROOT=$(realpath "$LEPTOS_SITE_ROOT")
export EDIARY_BIN LEPTOS_SITE_ROOT
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
cd "$(dirname "$0")"
# Install the locked npm packages when they are missing or out of date.
if ! cmp -s package-lock.json node_modules/.ediary-installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.ediary-installed-lock
fi
mkdir -p artifacts
if [[ "${1:-}" == *.bench.mjs ]]; then
  exec node "$@"
fi
node --test --test-concurrency=1 ./*.test.mjs
