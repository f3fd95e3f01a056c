#!/bin/sh
# Fails when a server under test panicked: the integration tests write
# in-process panics and spawned servers' stderr to EDIARY_TEST_LOG_DIR
# (tests/src/panics.rs). Usage: tests/check-panics.sh DIR
set -eu
dir=${1:?usage: tests/check-panics.sh DIR}
[ -d "$dir" ] || exit 0
found=$(grep -l "panicked at" "$dir"/*.log 2>/dev/null || true)
if [ -n "$found" ]; then
    echo "A server panicked during the tests:" >&2
    for f in $found; do
        echo "--- $f" >&2
        grep -A3 "panicked at" "$f" | head -40 >&2
    done
    exit 1
fi
echo "No server panicked ($(ls "$dir" | wc -l) logs searched)."
