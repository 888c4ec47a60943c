#!/usr/bin/env bash
# token-telemetry watchdog for instance "example" — the same checks and exit codes as
# `token-telemetry watchdog`, with bash and psql only, for hosts without dotnet. Read-only: it writes nothing.
#   exit 0 ok · 1 a source stale, erroring or never seen · 2 collector heartbeat stale or missing · 3 cannot check
# Connection: the libpq variables override the rendered defaults; the password only ever comes from the
# environment (PGPASSWORD or ~/.pgpass). Other overrides: TT_SCHEMA, TT_SOURCES, TT_HEARTBEAT_THRESHOLD.
set -uo pipefail
export PGHOST="${PGHOST:-localhost}"
export PGPORT="${PGPORT:-5432}"
export PGDATABASE="${PGDATABASE:-token_telemetry}"
export PGUSER="${PGUSER:-grafana_reader}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
SCHEMA="${TT_SCHEMA:-telemetry}"
SOURCES="${TT_SOURCES:-litellm openai anthropic}"
HEARTBEAT_THRESHOLD="${TT_HEARTBEAT_THRESHOLD:-7200}"
declare -A THRESHOLD=([litellm]=11400 [openai]=11400 [anthropic]=11400 )
declare -A PAUSED=()

if ! [[ "$SCHEMA" =~ ^[a-z_][a-z0-9_]*$ ]]; then echo "error: TT_SCHEMA '$SCHEMA' is not a schema name" >&2; exit 3; fi
q() { psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -c "$1"; }

beat=$(q "SELECT coalesce(extract(epoch FROM now() - last_poll_at)::bigint::text, '') FROM \"$SCHEMA\".watchdog_status WHERE source_system = '__heartbeat__'") || {
  echo "error: cannot check: psql could not read $PGHOST:$PGPORT/$PGDATABASE as $PGUSER" >&2; exit 3; }

worst=0
for source in $SOURCES; do
  if [[ -n "${PAUSED[$source]:-}" ]]; then echo "$source paused ${PAUSED[$source]}"; continue; fi
  row=$(q "SELECT coalesce(extract(epoch FROM now() - greatest((SELECT max(updated_at) FROM \"$SCHEMA\".token_usage WHERE source_system = '$source'), w.last_poll_at))::bigint::text, ''), coalesce(w.status, '') FROM (SELECT 1) AS one LEFT JOIN \"$SCHEMA\".watchdog_status w ON w.source_system = '$source'") || exit 3
  age=${row%%|*}; status=${row#*|}; threshold=${THRESHOLD[$source]:-11400}
  if [[ "$status" == "error" ]]; then echo "$source error the collector reported an error (see watchdog_status.message)"; worst=1
  elif [[ -z "$age" ]]; then echo "$source never_seen no data and no successful poll yet"; worst=1
  elif (( age > threshold )); then echo "$source stale nothing new for ${age}s (threshold ${threshold}s)"; worst=1
  else echo "$source ok alive ${age}s ago"; fi
done

if [[ -z "$beat" ]]; then echo "__heartbeat__ never_seen the collector has never run"; exit 2; fi
if (( beat > HEARTBEAT_THRESHOLD )); then echo "__heartbeat__ stale last cycle ${beat}s ago (threshold ${HEARTBEAT_THRESHOLD}s)"; exit 2; fi
echo "__heartbeat__ ok last cycle ${beat}s ago"
exit "$worst"
