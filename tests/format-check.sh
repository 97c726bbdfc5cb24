#!/usr/bin/env bash
# make format-check: every C file is in the form .clang-format describes.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
	echo "format-check: clang-format is not installed; skipped" >&2
	exit 0
fi
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './tests/idp/node_modules/*')
[ -n "$files" ] || files=$(find pam_oidc helper tests -name '*.[ch]' -not -path '*/node_modules/*')
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
echo "format-check: $(echo "$files" | wc -w) files in form"
