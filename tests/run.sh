#!/usr/bin/env bash
# The test command (README): the whole suite on a real PostgreSQL 15+ (the machine's) and 14 (npm binaries),
# results in TestResults/results.trx, and a closing "tests: N passed, N failed" line counted from them.
# Extra arguments go to `dotnet test` (e.g. --filter).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tests/setup-pg14.sh" || { echo "tests: 0 passed, 1 failed (PostgreSQL 14 binaries could not be installed)"; exit 1; }
rm -rf "$root/TestResults"
dotnet test "$root/TokenTelemetry.sln" --logger "trx;LogFileName=results.trx" --results-directory "$root/TestResults" "$@"
status=$?
trx="$root/TestResults/results.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  echo "tests: ${passed:-0} passed, ${failed:-0} failed"
else
  echo "tests: 0 passed, 1 failed (no test results: the build or the test host failed)"
  status=1
fi
exit $status
