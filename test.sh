#!/usr/bin/env bash
# Runs every test tier (pure unit tests and the root tier with real etcd and kernel objects),
# building what it needs first. Ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh || echo "test.sh: dependencies missing; tests needing them will fail" >&2

results=out/test-results
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build Calico.sln -c Debug -nologo -v quiet; then
  echo "0 passed, 1 failed"
  exit 1
fi
# Minimal console verbosity prints each failure with its message and one summary per assembly.
dotnet test Calico.sln -c Debug --no-build -nologo --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}

# Sum the counters of every assembly's TRX file.
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]); c[kv[1]] += kv[2] } }
    END { printf "%d %d %d\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] }')
assemblies=$(ls "$results"/*.trx 2>/dev/null | wc -l)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a crashed test host counts as a failure
echo "test assemblies: $assemblies"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
