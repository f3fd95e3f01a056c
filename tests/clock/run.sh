#!/usr/bin/env bash
# Runs the time-sensitive integration suites under libfaketime at times of
# day that used to break fixtures (the demo site is in UTC+8, so its day
# starts at 16:00 UTC) and around daylight-saving changes for a site in
# Europe/Berlin. Every process the tests start (the test binary, the real
# `ediary` binary) shares one offset from the real clock; the throw-away
# PostgreSQL cluster keeps the real time (the server reads the time only in
# Rust, never from the database's now()).
#
#   tests/clock/run.sh            every run below
#   tests/clock/run.sh 16:30      one time of day (UTC, today)
set -euo pipefail
cd "$(dirname "$0")/../.."

lib=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)
if [ -z "$lib" ]; then
  echo "clock: libfaketime is missing (Debian's faketime package: make deps-test)" >&2
  exit 2
fi

# The suites whose fixtures count site days.
filters=(roster:: outcomes:: exports:: sync:: demo:: real_study:: alerts::sqlite::missed_diary alerts::postgres::missed_diary)

# "time zone of the demo site|UTC instant" per run. An instant without a
# date is today's (UTC). 16:30 UTC is 00:30 in Qingdao, 23:55 UTC its 07:55
# (before the fixtures' 08:00), 07:59/15:50 UTC its 15:59/23:50.
runs=(
  "Asia/Shanghai|00:30"
  "Asia/Shanghai|07:59"
  "Asia/Shanghai|15:50"
  "Asia/Shanghai|16:30"
  "Asia/Shanghai|23:55"
  # The day after the spring change (yesterday had 23 hours) and the autumn
  # change (25), just after midnight in Berlin.
  "Europe/Berlin|2027-03-28T22:05"
  "Europe/Berlin|2027-10-31T23:05"
)
if [ $# -gt 0 ]; then
  runs=()
  for at in "$@"; do
    case "$at" in *"|"*) runs+=("$at") ;; *) runs+=("Asia/Shanghai|$at") ;; esac
  done
fi

# Build once, with the real clock.
cargo test -p ediary-tests --test integration --no-run >/dev/null 2>&1 ||
  cargo test -p ediary-tests --test integration --no-run

failed=0
for run in "${runs[@]}"; do
  tz=${run%%|*}
  at=${run##*|}
  case "$at" in *T*) when="${at/T/ } UTC" ;; *) when="$(date -u +%F) $at UTC" ;; esac
  target=$(date -u -d "$when" +%s)
  offset=$((target - $(date -u +%s)))
  # libfaketime reads a signed number of seconds as an offset from now.
  [ "$offset" -ge 0 ] && offset="+$offset"
  echo "clock: $tz, $(date -u -d "@$target" '+%F %H:%M UTC') (offset ${offset}s)" >&2
  # Fake only the wall clock: tokio's timers and the tests' deadlines use
  # the monotonic one.
  if ! CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="env LD_PRELOAD=$lib FAKETIME=${offset} FAKETIME_DONT_FAKE_MONOTONIC=1 EDIARY_TEST_SITE_TZ=$tz" \
    cargo test -q -p ediary-tests --test integration -- "${filters[@]}"; then
    echo "clock: FAILED at $tz $at" >&2
    failed=1
  fi
done
exit $failed
