#!/usr/bin/env bash
# Static analysis of the module, the helper and the PAM test drivers with
# cppcheck and clang-tidy. Prints one line per finding,
#     file:line:column: severity: message [check]
# and exits 1 when there is any (2 when a tool cannot run). The clang-tidy
# checks are in .clang-tidy, the cppcheck suppressions in
# tests/cppcheck-suppressions.txt; each exception says why it is there.
#
# Runs from any directory and needs no terminal; it writes only to a
# temporary directory. LINT_JOBS: parallel processes (default: CPUs).
# LINT_VERBOSE=1: also print clang-tidy's full report (the analyser's path
# to each finding) to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in cppcheck clang-tidy make; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "lint: $tool is not installed (make deps)" >&2
		exit 2
	fi
done

# The module with the core it links; then the programs, which are
# single-threaded, so concurrency-mt-unsafe is not applied to them.
module=(pam_oidc/*.c)
programs=(helper/*.c tests/driver/driver.c tests/integration/pamdrive.c
    tests/integration/sudodrive.c)
jobs=${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS

# Findings sorted by file, line and column; each once.
sort_findings() {
	sort -t: -k1,1 -k2,2n -k3,3n | uniq
}

# --- cppcheck ---------------------------------------------------------------
# System headers are not read: --library describes libc, POSIX, glibc,
# libcurl and OpenSSL instead. cppcheck ships nothing for jansson, and
# needs only its two iteration macros to parse the code.
cat >"$tmp/jansson.cfg" <<'EOF'
<?xml version="1.0"?>
<def format="2">
  <define name="json_object_foreach(object, key, value)" value="for (key = json_object_iter_key(json_object_iter(object)); key &amp;&amp; (value = json_object_iter_value(json_object_key_to_iter(key))); key = json_object_iter_key(json_object_iter_next(object, json_object_key_to_iter(key))))"/>
  <define name="json_array_foreach(array, index, value)" value="for (index = 0; index &lt; json_array_size(array) &amp;&amp; (value = json_array_get(array, index)); index++)"/>
</def>
EOF
# "information" is on for unmatchedSuppression: a suppression that matches
# nothing any more is a finding too. (cppcheck 2.10 reports
# missingIncludeSystem only under --check-config, so it needs no
# suppression here.)
cppcheck_status=0
cppcheck --quiet -j "$jobs" --std=c11 --platform=unix64 \
    --enable=warning,style,performance,portability,information \
    --inconclusive --error-exitcode=1 --inline-suppr \
    --suppressions-list=tests/cppcheck-suppressions.txt \
    --library=posix --library=gnu --library=libcurl --library=openssl \
    --library="$tmp/jansson.cfg" \
    -D_GNU_SOURCE -Ipam_oidc -Itests/driver \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
    "${module[@]}" "${programs[@]}" \
    >"$tmp/cppcheck.out" 2>"$tmp/cppcheck.err" || cppcheck_status=$?
# Findings arrive on stderr in the template's form ("nofile" for an unused
# line of the suppressions list); anything else means cppcheck failed.
grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$tmp/cppcheck.err" |
    sed 's|^nofile:0:0: |tests/cppcheck-suppressions.txt:0:0: |' |
    sort_findings >"$tmp/cppcheck.findings" || true
if [ "$cppcheck_status" -ne 0 ] && [ ! -s "$tmp/cppcheck.findings" ]; then
	cat "$tmp/cppcheck.out" "$tmp/cppcheck.err" >&2
	echo "lint: cppcheck failed (exit $cppcheck_status)" >&2
	exit 2
fi

# --- clang-tidy -------------------------------------------------------------
# A compilation database with the Makefile's own flags. -Werror is left
# out so that a clang warning is reported as a finding like any other
# instead of ending the analysis of its file.
flags=$(make -s --no-print-directory -f Makefile -f - lint-print-flags <<'EOF'
lint-print-flags:
	@echo $(CPPFLAGS) $(CFLAGS)
EOF
)
# The test drivers' own header.
flags="$flags -Itests/driver"
json_str() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}
{
	echo '['
	sep=''
	for f in "${module[@]}" "${programs[@]}"; do
		printf '%s{"directory": %s, "file": %s, "arguments": ["cc"' \
		    "$sep" "$(json_str "$PWD")" "$(json_str "$f")"
		for a in $flags; do
			[ "$a" = -Werror ] || printf ', %s' "$(json_str "$a")"
		done
		printf ', "-c", %s]}\n' "$(json_str "$f")"
		sep=','
	done
	echo ']'
} >"$tmp/compile_commands.json"

# One clang-tidy process per file, LINT_JOBS at a time, each writing its
# own files. One file per process is deliberate: clang-tidy 14 carries
# analyser state from one file to the next within a process, which gives
# false clang-analyzer-valist findings in the later files.
tidy() {
	local extra=$1
	shift
	# shellcheck disable=SC2016 # the inner sh expands these
	printf '%s\0' "$@" | TIDY_EXTRA=$extra xargs -0 -n 1 -P "$jobs" sh -c '
		out="$0/$(printf "%s" "$1" | tr / _)"
		clang-tidy -p "$0" --quiet $TIDY_EXTRA "$1" \
		    >"$out.out" 2>"$out.err" || echo "$?" >"$out.rc"
	' "$tmp"
}
# A .clang-tidy that does not parse makes clang-tidy fall back to its
# defaults; stop instead.
err=$(clang-tidy --list-checks "${module[0]}" -- 2>&1 >/dev/null || true)
if [ -n "$err" ]; then
	printf '%s\n' "$err" >&2
	echo "lint: .clang-tidy does not parse" >&2
	exit 2
fi
tidy '' "${module[@]}"
tidy --checks=-concurrency-mt-unsafe "${programs[@]}"
if [ "${LINT_VERBOSE:-0}" = 1 ]; then
	cat "$tmp"/*.c.out >&2
fi
# One line per finding: the diagnostics without their notes, source lines
# and carets, with paths relative to the repository.
cat "$tmp"/*.c.out |
    grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): ' |
    sed -e "s|^$PWD/||" -e 's/,-warnings-as-errors\]$/]/' |
    sort_findings >"$tmp/tidy.findings" || true
for rc in "$tmp"/*.rc; do
	[ -e "$rc" ] || continue
	if ! grep -q . "${rc%.rc}.out"; then
		cat "${rc%.rc}.err" >&2
		echo "lint: clang-tidy failed (exit $(cat "$rc"))" >&2
		exit 2
	fi
done

# --- report -----------------------------------------------------------------
cat "$tmp/cppcheck.findings" "$tmp/tidy.findings"
n_cpp=$(wc -l <"$tmp/cppcheck.findings")
n_tidy=$(wc -l <"$tmp/tidy.findings")
v_tidy=$(clang-tidy --version | sed -n 's/.*version \([0-9.]*\).*/\1/p')
echo "lint: $((${#module[@]} + ${#programs[@]})) files;" \
    "$(cppcheck --version): $n_cpp; clang-tidy $v_tidy: $n_tidy;" \
    "$((SECONDS - start))s" >&2
[ $((n_cpp + n_tidy)) -eq 0 ]
