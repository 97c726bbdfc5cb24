#!/bin/bash
# Run the cmocka unit test binaries: run.sh DIR NAME...
# Shows each binary's output, sums cmocka's PASSED/FAILED counts, and ends
# with one line "N passed, M failed" (N, M: test cases). Exits non-zero
# if any test case failed or a binary did not finish cleanly.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 DIR NAME..." >&2
	exit 2
fi
dir=$1
shift

passed=0
failed=0
skipped=0
bad_bins=0

for name in "$@"; do
	bin="$dir/$name"
	echo "=== $name"
	if [ ! -x "$bin" ]; then
		echo "run.sh: $bin is missing or not executable" >&2
		failed=$((failed + 1))
		bad_bins=$((bad_bins + 1))
		continue
	fi
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" |
	    sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' |
	    awk '{ s += $1 } END { print s + 0 }')
	f=$(printf '%s\n' "$out" |
	    sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' |
	    awk '{ s += $1 } END { print s + 0 }')
	k=$(printf '%s\n' "$out" |
	    sed -n 's/^\[  SKIPPED \] \([0-9][0-9]*\) test(s).*/\1/p' |
	    awk '{ s += $1 } END { print s + 0 }')
	skipped=$((skipped + k))
	passed=$((passed + p))
	failed=$((failed + f))
	# A crash or an exit status without a FAILED line still counts.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "run.sh: $name exited with status $rc" >&2
		failed=$((failed + 1))
		bad_bins=$((bad_bins + 1))
	fi
done

if [ "$skipped" -gt 0 ]; then
	echo "($skipped skipped)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$bad_bins" -eq 0 ]
