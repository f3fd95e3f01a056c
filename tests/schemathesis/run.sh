#!/usr/bin/env bash
# Runs schemathesis (SCHEMATHESIS, the venv's executable) against the real
# server (EDIARY_BIN) with the demo study, once anonymously and once as each
# role, against the server's own /api/openapi.json. The configuration beside
# this script says what fails the run (schemathesis.toml).
#
#   tests/schemathesis/run.sh [extra schemathesis options]
set -euo pipefail
: "${EDIARY_BIN:?set EDIARY_BIN to the ediary binary}"
: "${SCHEMATHESIS:?set SCHEMATHESIS to the schemathesis executable}"
EDIARY_BIN=$(realpath "$EDIARY_BIN")
here=$(cd "$(dirname "$0")" && pwd)
logs=${EDIARY_TEST_LOG_DIR:-}

work=$(mktemp -d /tmp/ediary-schemathesis.XXXXXX)
server=""
stop() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [ -n "$logs" ]; then mkdir -p "$logs" && cp "$work/serve.log" "$logs/schemathesis-serve.log" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stop EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
db="sqlite://$work/ediary.db"
export EDIARY_JWT_SECRET=schemathesis-secret-schemathesis-secret
export EDIARY_STAFF_MFA=off RUST_LOG=warn

# An admin exists only when the command line makes one.
"$EDIARY_BIN" migrate --database-url "$db" >/dev/null
printf 'schemathesis-admin-pw-0' | "$EDIARY_BIN" user create --role admin --username st.admin --database-url "$db" >/dev/null

"$EDIARY_BIN" serve --addr "127.0.0.1:$port" --database-url "$db" --data-dir "$work" --demo \
  >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null

# Sign every role in before anything fuzzes the sign-in route (which soon
# throttles this address); each run then refreshes its own access token,
# which lives 15 minutes.
declare -A refresh
for role in investigator:demo.investigator:sunrise-lantern-4821 \
  participant:demo.teen:paper-kite-7305 \
  guardian:demo.guardian:moon-bamboo-6142 \
  admin:st.admin:schemathesis-admin-pw-0; do
  IFS=: read -r who user pw <<<"$role"
  refresh[$who]=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$pw\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["refresh_token"])')
done

# Each role's refresh token is used once, just before its run.
access() {
  curl -fsS -X POST "$base/api/v1/auth/refresh" -H 'content-type: application/json' \
    -d "{\"refresh_token\":\"${refresh[$1]}\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# Left out: the routes that end the caller's own session or change its
# password (the run would sign itself out half-way), and the alert stream,
# which by design never ends.
skip=(--exclude-operation-id logout --exclude-operation-id end_session
  --exclude-operation-id change_password --exclude-operation-id alert_stream)

run() {
  local who=$1
  shift
  echo "== schemathesis as $who"
  (cd "$work" && "$SCHEMATHESIS" --config-file "$here/schemathesis.toml" run "$base/api/openapi.json" \
    "${skip[@]}" --report junit --report-junit-path "$work/junit-$who.xml" "$@")
}

status=0
# The admin goes last: it may disable the accounts of the others.
for who in investigator participant guardian admin; do
  run "$who" -H "Authorization: Bearer $(access "$who")" "$@" || status=1
done
run anonymous "$@" || status=1

if grep -n "panicked at" "$work/serve.log"; then
  echo "schemathesis: the server panicked (above)" >&2
  status=1
fi
exit $status
