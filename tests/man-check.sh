#!/usr/bin/env bash
# make man-check: the manual pages are free of warnings. Uses mandoc's
# linter; without mandoc, falls back to groff with all warnings on.
# Any output from the checker fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."

pages=(pam_oidc/pam_oidc.8 pam_oidc/pam_oidc.conf.5 pam_oidc/libnss_oidc.8
    helper/pam-oidc.8)

for p in "${pages[@]}"; do
	if [ ! -f "$p" ]; then
		echo "man-check: $p is missing" >&2
		exit 1
	fi
done

if command -v mandoc >/dev/null 2>&1; then
	tool="mandoc -T lint -W warning"
	check() { mandoc -T lint -W warning "$1" 2>&1 || true; }
elif command -v groff >/dev/null 2>&1; then
	echo "man-check: mandoc is not installed; falling back to groff -ww -z -man" >&2
	# groff's man macros hand mdoc pages to the mdoc package.
	tool="groff -ww -z -man"
	check() { groff -ww -z -man "$1" 2>&1 || true; }
else
	echo "man-check: neither mandoc nor groff is installed; cannot check" >&2
	exit 1
fi

fail=0
for p in "${pages[@]}"; do
	out=$(check "$p")
	if [ -n "$out" ]; then
		echo "man-check: $p:" >&2
		echo "$out" >&2
		fail=1
	fi
done
if [ "$fail" -ne 0 ]; then
	echo "man-check: FAILED ($tool)" >&2
	exit 1
fi
echo "man-check: ${#pages[@]} pages clean ($tool)"
