#!/usr/bin/env bash
# The suites of `make check` after the unit tests, each run to the end
# even when an earlier one failed, then one summary line per suite.
#   check.sh BUILD_DIR
set -uo pipefail

BUILD="${1:-build}"
cd "$(dirname "$0")/.."

suites=(
	"lint|bash tests/lint.sh"
	"integration|bash tests/integration/run.sh $BUILD"
	"e2e|bash tests/e2e/run.sh $BUILD"
	"allocation failure|bash tests/robust/alloc.sh $BUILD"
	"1000 cycles|bash tests/robust/cycles.sh $BUILD"
	"8 threads|bash tests/robust/threads.sh build-tsan"
	"fuzz regressions|bash tests/fuzz/run.sh 0"
)
results=()
bad=0
for s in "${suites[@]}"; do
	name="${s%%|*}"
	cmd="${s#*|}"
	echo "=== $name: $cmd"
	start=$(date +%s)
	if $cmd; then
		results+=("ok      $name ($(($(date +%s) - start)) s)")
	else
		results+=("FAILED  $name ($(($(date +%s) - start)) s)")
		bad=$((bad + 1))
	fi
done
echo "=== summary"
printf '%s\n' "${results[@]}"
[ "$bad" -eq 0 ]
