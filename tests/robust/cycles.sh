#!/usr/bin/env bash
# 1000 complete logins in one process (cycles.c): each cycle starts a
# PAM handle, authenticates (auto-approved, wait = enter, QR shown),
# checks the account and ends the handle, so libpam loads and unloads
# the module every time. Checks: every login succeeds, the module is
# unloaded after pam_end, no descriptor is left open (cycle 1000 against
# cycle 10), resident memory stays flat (cycle 100 against cycle 1000),
# the provider sees one token request per login, and pam_authenticate
# takes less than one polling interval on average (the first poll comes
# as soon as Enter is answered); then about 20 cycles under valgrind
# memcheck: no error, nothing definitely lost.
#   cycles.sh [BUILD_DIR]         (default: build)
# Environment: CYCLES (default 1000), CYCLES_VALGRIND (default 20; 0
# skips), CYCLES_RSS_KB (RSS growth bound, default 2048), CYCLES_HEAP_KB
# (heap growth bound, default 256).
set -uo pipefail

BUILD_ABS="$(cd "${1:-build}" 2>/dev/null && pwd)" || {
	echo "cycles.sh: no build directory ${1:-build}; run make all" >&2
	exit 2
}
[ -f "$BUILD_ABS/pam_oidc.so" ] || {
	echo "cycles.sh: $BUILD_ABS/pam_oidc.so is missing; run make all" >&2
	exit 2
}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source=tests/robust/lib.sh
. "$(dirname "$0")/lib.sh"

N="${CYCLES:-1000}"
VG_N="${CYCLES_VALGRIND:-20}"
# Bounds, cycle 100 to cycle N. By cycle 100 every cache a library keeps
# (OpenSSL's, libcurl's, glibc's per-thread arenas and the loader's) has
# been filled. What can still move RSS afterwards is the heap's layout:
# the module and libcurl are loaded at other addresses from cycle to
# cycle, and a few hundred kB of short-lived TLS and JSON buffers per
# login land in fragmented free lists; 2 MB is a few such logins' worth,
# well below what a real leak does over 900 cycles (a single 4 kB buffer
# a login is 3.6 MB). The heap bound (bytes malloc has handed out and
# not got back) is finer: 256 kB over 900 logins is < 300 bytes a login.
RSS_KB="${CYCLES_RSS_KB:-2048}"
HEAP_KB="${CYCLES_HEAP_KB:-256}"

WORK="$(mktemp -d /tmp/pam_oidc-cycles.XXXXXX)"
chmod 0755 "$WORK"
cleanup() {
	idp_stop "$WORK/idp"
	rm -rf "$WORK"
}
trap cleanup EXIT

robust_bins cycles || exit 2
nss_setup "$WORK"
robust_idp || {
	echo "cycles.sh: the test provider did not start" >&2
	exit 2
}
run_env ""
mkdir -p "$WORK/pam.d"
mkdir -m 0700 "$WORK/cache"
robust_conf "$WORK/robust.conf" "$WORK/cache"
robust_service "$WORK/pam.d" "$WORK/robust.conf"

# token_polls: the device code token requests the provider has seen.
token_polls() {
	idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']" 2>/dev/null
}

polls0="$(token_polls)"
t0="$(date +%s)"
env "${RUN_ENV[@]}" timeout -k 5 900 "$BUILD_ABS/cycles" -n "$N" \
    -c "$WORK/pam.d" -s robust -u alice >"$WORK/cycles.out" 2>&1
rc=$?
t1="$(date +%s)"
polls1="$(token_polls)"
grep -E "^(SAMPLE|FDS|MAPPED|CYCLES)" "$WORK/cycles.out" | sed 's/^/# /'
echo "# $N cycles in $((t1 - t0)) s"

# sample CYCLE FIELD: a figure from the SAMPLE line of that cycle.
sample() {
	sed -n "s/^SAMPLE cycle=$1 .*$2=\\([0-9-]*\\).*/\\1/p" "$WORK/cycles.out"
}

done_n="$(sed -n 's/^CYCLES done=\([0-9]*\).*/\1/p' "$WORK/cycles.out")"
if [ "$rc" = 0 ] && [ "$done_n" = "$N" ]; then
	ok "$N logins in one process, each PAM_SUCCESS with the code and QR shown"
else
	not_ok "$N logins in one process" "exit $rc, ${done_n:-no} cycles done"
	grep -A 20 '^FAIL' "$WORK/cycles.out" | head -n 60 | sed 's/^/    | /'
fi
if grep -q 'mapped during' "$WORK/cycles.out"; then
	not_ok "pam_oidc.so is mapped during each cycle and gone after pam_end" \
	    "$(grep -c 'mapped during' "$WORK/cycles.out") cycles"
elif [ -n "$done_n" ]; then
	ok "pam_oidc.so is mapped during each cycle and gone after pam_end"
fi

last="$N"
first_fd="$(sample 10 fds)" last_fd="$(sample "$last" fds)"
if [ -n "$first_fd" ] && [ "$first_fd" = "$last_fd" ]; then
	ok "open descriptors after cycle $last ($last_fd) equal those after cycle 10"
else
	not_ok "open descriptors stay the same" \
	    "cycle 10: ${first_fd:-?}, cycle $last: ${last_fd:-?}"
fi
# The memory baseline: cycle 100, or cycle 10 for short runs.
base=100
[ "$N" -le 100 ] && base=10
rb="$(sample "$base" rss_kb)" rlast="$(sample "$last" rss_kb)"
hb="$(sample "$base" heap_kb)" hlast="$(sample "$last" heap_kb)"
if [ -n "$rb" ] && [ -n "$rlast" ] && [ $((rlast - rb)) -lt "$RSS_KB" ]; then
	ok "RSS growth from cycle $base to $last: $((rlast - rb)) kB (bound $RSS_KB kB)"
else
	not_ok "RSS growth from cycle $base to $last below $RSS_KB kB" \
	    "cycle $base: ${rb:-?} kB, cycle $last: ${rlast:-?} kB"
fi
if [ -n "$hb" ] && [ -n "$hlast" ] && [ $((hlast - hb)) -lt "$HEAP_KB" ]; then
	ok "heap in use from cycle $base to $last: $((hlast - hb)) kB (bound $HEAP_KB kB)"
else
	not_ok "heap in use from cycle $base to $last below $HEAP_KB kB" \
	    "cycle $base: ${hb:-?} kB, cycle $last: ${hlast:-?} kB"
fi

# With wait = enter and the code approved before the module sees it, the
# first poll is the only one: as many token requests as logins.
polls=-
[ -n "$polls0" ] && [ -n "$polls1" ] && polls=$((polls1 - polls0))
if [ -n "$done_n" ] && [ "$polls" = "$done_n" ]; then
	ok "the provider saw one token request per login ($polls for $done_n logins)"
else
	not_ok "the provider saw one token request per login" \
	    "$polls token requests for ${done_n:-?} logins"
fi
# ... and it comes at once: a login that waited one polling interval
# before its first poll would take at least that long.
interval="$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['interval']" 2>/dev/null)"
mean="$(sed -n 's/^CYCLES .*auth_ms_mean=\([0-9.]*\).*/\1/p' "$WORK/cycles.out")"
max="$(sed -n 's/^CYCLES .*auth_ms_max=\([0-9.]*\).*/\1/p' "$WORK/cycles.out")"
if [ -n "$mean" ] && [ -n "$interval" ] &&
    awk -v m="$mean" -v i="$interval" 'BEGIN {exit !(m < i * 1000)}'; then
	ok "pam_authenticate takes $mean ms on average (at most $max ms), less than the ${interval} s polling interval"
else
	not_ok "pam_authenticate takes less than one polling interval on average" \
	    "mean ${mean:-?} ms, interval ${interval:-?} s"
fi

# memcheck: the same cycles, fewer of them. Leaks in the module show up
# as "definitely lost"; libraries' process-wide caches as reachable.
if [ "$VG_N" -gt 0 ] && command -v valgrind >/dev/null 2>&1; then
	t0="$(date +%s)"
	env "${RUN_ENV[@]}" timeout -k 5 900 valgrind --error-exitcode=42 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --keep-debuginfo=yes --num-callers=30 \
	    --log-file="$WORK/vg.log" "$BUILD_ABS/cycles" -n "$VG_N" \
	    -c "$WORK/pam.d" -s robust -u alice >"$WORK/vg.out" 2>&1
	vrc=$?
	t1="$(date +%s)"
	echo "# valgrind: $VG_N cycles in $((t1 - t0)) s"
	sed -n -e 's/^==[0-9]*== *//' -e '/lost:\|reachable:\|ERROR SUMMARY/p' \
	    "$WORK/vg.log" | sed 's/^/#   /'
	errs="$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$WORK/vg.log")"
	def="$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$WORK/vg.log")"
	if [ "$vrc" = 0 ] && [ "$errs" = 0 ] && [ "${def:-0}" = 0 ] &&
	    grep -q '^CYCLES done='"$VG_N"' failed=0 not_unloaded=0' "$WORK/vg.out"; then
		ok "valgrind: $VG_N cycles, 0 errors, 0 bytes definitely lost"
	else
		not_ok "valgrind: $VG_N cycles clean" \
		    "exit $vrc, ${errs:-?} errors, ${def:-?} bytes definitely lost"
		grep -E '^(FAIL|CYCLES)' "$WORK/vg.out" | sed 's/^/    | /'
		grep -v '^==[0-9]*== *$' "$WORK/vg.log" | head -n 80 |
		    sed 's/^/    | /'
	fi
else
	echo "# skip - valgrind: not installed or CYCLES_VALGRIND=0"
fi

echo "robust: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
