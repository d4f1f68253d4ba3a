#!/usr/bin/env bash
# Runs the tests, building what it needs first. Ends with one line: "N passed, N failed, N skipped".
#
#   ./test.sh                      every tier (what CI runs)
#   ./test.sh --tier unit          only the given tiers; repeat the option or separate them with commas:
#   ./test.sh --tier unit,root     --tier root --tier cluster
#
# Tiers are the xunit trait "Tier" on every test class (tests/Calico.Architecture.Tests checks each has one):
#   unit     no root, no external process, no kernel object: runs anywhere in seconds, no dependency installed
#   root     one host as root: the kernel in network namespaces, nft, etcd, BIRD, podman, child processes
#   cluster  calico-lab clusters of several hosts, three-member etcd clusters losing members
set -uo pipefail
cd "$(dirname "$0")"

usage() { sed -n '2,12s/^# \{0,1\}//p' "$0" >&2; exit 2; }

tiers=()
add_tiers() {
  local tier
  IFS=',' read -ra requested <<< "$1"
  for tier in "${requested[@]}"; do
    case "${tier,,}" in
      unit) tiers+=(Unit) ;;
      root) tiers+=(Root) ;;
      cluster) tiers+=(Cluster) ;;
      *) echo "test.sh: unknown tier '$tier' (unit, root, cluster)" >&2; usage ;;
    esac
  done
}
while [ $# -gt 0 ]; do
  case "$1" in
    --tier) [ $# -ge 2 ] || usage; add_tiers "$2"; shift 2 ;;
    --tier=*) add_tiers "${1#--tier=}"; shift ;;
    -h|--help) usage ;;
    *) echo "test.sh: unexpected argument '$1'" >&2; usage ;;
  esac
done

filter=()
needs_deps=1
if [ ${#tiers[@]} -gt 0 ]; then
  mapfile -t tiers < <(printf '%s\n' "${tiers[@]}" | sort -u)
  expression=$(printf 'Tier=%s|' "${tiers[@]}")
  filter=(--filter "${expression%|}")
  # The unit tier starts nothing outside the test process: it needs neither root nor the packages.
  [ "${tiers[*]}" = "Unit" ] && needs_deps=0
  echo "test.sh: tiers ${tiers[*]}"
fi

if [ "$needs_deps" -eq 1 ]; then
  scripts/install-deps.sh || echo "test.sh: dependencies missing; tests needing them will fail" >&2
fi

results=out/test-results
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build Calico.sln -c Debug -nologo -v quiet; then
  echo "0 passed, 1 failed"
  exit 1
fi
# Minimal console verbosity prints each failure with its message and one summary per assembly.
dotnet test Calico.sln -c Debug --no-build -nologo "${filter[@]}" --logger "trx" --logger "console;verbosity=minimal" \
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
