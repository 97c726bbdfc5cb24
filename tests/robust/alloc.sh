#!/usr/bin/env bash
# Allocation failure: one complete login (auto-approved, wait = enter,
# QR shown) is run once to count C, the allocations made on behalf of
# the module (failmalloc.c says which), then once for every N in 1..C
# with the Nth of them failed, each in a fresh process. Every such login
# must be refused (pam_authenticate not PAM_SUCCESS, acct_mgmt neither),
# without a crash and within ALLOC_TIMEOUT seconds. Two sweeps: with a
# warm cache (discovery and JWKS on disk) and with an empty one.
#   alloc.sh [BUILD_DIR]          (default: build)
# Environment: ALLOC_JOBS parallel logins (default 2), ALLOC_TIMEOUT
# seconds per login (default 30), ALLOC_COLD=0 skips the cold sweep,
# ALLOC_MAX=K sweeps only N <= K.
set -uo pipefail

BUILD_ABS="$(cd "${1:-build}" 2>/dev/null && pwd)" || {
	echo "alloc.sh: no build directory ${1:-build}; run make all" >&2
	exit 2
}
[ -f "$BUILD_ABS/pam_oidc.so" ] || {
	echo "alloc.sh: $BUILD_ABS/pam_oidc.so is missing; run make all" >&2
	exit 2
}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source=tests/robust/lib.sh
. "$(dirname "$0")/lib.sh"

JOBS="${ALLOC_JOBS:-2}"
TMO="${ALLOC_TIMEOUT:-30}"
MAX="${ALLOC_MAX:-0}"
MODULE="$BUILD_ABS/pam_oidc.so"

WORK="$(mktemp -d /tmp/pam_oidc-alloc.XXXXXX)"
chmod 0755 "$WORK"
cleanup() {
	idp_stop "$WORK/idp"
	rm -rf "$WORK"
}
trap cleanup EXIT

robust_bins failmalloc.so logindrive || exit 2
nss_setup "$WORK"
robust_idp || {
	echo "alloc.sh: the test provider did not start" >&2
	exit 2
}
run_env "$BUILD_ABS/failmalloc.so"
DRIVE="$BUILD_ABS/logindrive"

# Each job slot has its own config, service and cache directory.
slot_setup() {
	local d="$WORK/slot$1"
	mkdir -p "$d/pam.d"
	robust_conf "$d/robust.conf" "$d/cache"
	robust_service "$d/pam.d" "$d/robust.conf"
}

# prepare_cache SLOT MODE: a copy of the warm template, or empty.
prepare_cache() {
	local d="$WORK/slot$1"
	rm -rf "$d/cache"
	if [ "$2" = warm ]; then
		cp -a "$WORK/warm-cache" "$d/cache"
	else
		mkdir -m 0700 "$d/cache"
	fi
}

# login SLOT N [env...]: one login with FAILMALLOC_N=N. Sets RC (the
# exit status: the PAM code of pam_authenticate, 124/137 on timeout,
# 128+signal), ACCT (acct_mgmt's code), REASON (the module's first
# warning or error, else its verdict) and from the interposer's report
# REP_FAILED, REP_COUNT, REP_LIB (1: the allocation was made inside
# jansson or qrencode) and REP_SITE (the two innermost module frames,
# "OFF<OFF": the module's call that led to the allocation, and its
# caller). "-" for what is missing.
login() {
	local d="$WORK/slot$1" n="$2" k v rest mods=0
	shift 2
	rm -f "$d/report"
	timeout -k 5 "$TMO" env "${RUN_ENV[@]}" FAILMALLOC_N="$n" \
	    FAILMALLOC_REPORT="$d/report" "$@" "$DRIVE" -q -c "$d/pam.d" \
	    -s robust -u alice >"$d/out" 2>&1
	RC=$?
	REP_FAILED=- REP_COUNT=- REP_SITE=- REP_LIB=0 ACCT=- REASON=-
	if [ -f "$d/report" ]; then
		while read -r k v rest; do
			case "$k" in
			failed) REP_FAILED="$v" ;;
			count) REP_COUNT="$v" ;;
			site) [[ "$v" == *pam_oidc.so ]] || REP_LIB=1 ;;
			frame)
				[[ "$v" == *pam_oidc.so ]] || continue
				mods=$((mods + 1))
				if [ "$mods" = 1 ]; then
					REP_SITE="$rest"
				elif [ "$mods" = 2 ]; then
					REP_SITE+="<$rest"
				fi
				;;
			esac
		done <"$d/report"
	fi
	while read -r k v rest; do
		if [ "$k" = RESULT ] && [[ "$v" == auth=* ]]; then
			ACCT="${rest%% *}"
			ACCT="${ACCT#acct=}"
		elif [ "$k" = SYSLOG ] && [ "$REASON" = - ] &&
		    { [ "$v" -le 4 ] ||
		    [[ "$rest" == *"authentication failed:"* ]]; }; then
			REASON="${rest#pam_oidc(robust:auth): }"
			# One name for every slot's cache directory.
			REASON="${REASON//"$WORK"\/slot?\/cache/CACHE_DIR}"
		fi
	done <"$d/out"
}

# sweep_slot MODE SLOT LAST: N = 1 + SLOT, step JOBS; a line
# "N rc acct failed count lib site<TAB>reason" per login in
# $WORK/MODE.SLOT. The output and report of a login that succeeded,
# crashed, hung or passed acct_mgmt after a failed allocation are kept
# (the interposer's trace is in the output): reruns need not fail the
# same allocation, as the count varies by a few between logins.
sweep_slot() {
	local mode="$1" slot="$2" last="$3" n d="$WORK/slot$2"
	: >"$WORK/$mode.$slot"
	for ((n = 1 + slot; n <= last; n += JOBS)); do
		prepare_cache "$slot" "$mode"
		login "$slot" "$n" FAILMALLOC_TRACE=1
		printf '%s %s %s %s %s %s %s\t%s\n' "$n" "$RC" "$ACCT" \
		    "$REP_FAILED" "$REP_COUNT" "$REP_LIB" "$REP_SITE" \
		    "$REASON" >>"$WORK/$mode.$slot"
		if [ "$REP_FAILED" = 1 ] && { [ "$RC" = 0 ] ||
		    [ "$RC" -gt 100 ] || [ "$ACCT" = 0 ]; }; then
			cp "$d/out" "$WORK/keep/$mode-$n.out"
			cp "$d/report" "$WORK/keep/$mode-$n.report"
		fi
	done
}

# where OFF: the module function and line at OFF, a return address.
where() {
	[ "$1" = - ] && { echo "?"; return; }
	addr2line -f -i -p -e "$MODULE" "$(printf '0x%x' $(($1 - 1)))" \
	    2>/dev/null | head -n 1 | sed -e "s|$ROOT/||" -e 's| (discriminator [0-9]*)||'
}

# site_name SITE LIB: "function at file:line, called from ...".
site_name() {
	local a="${1%%<*}" b="" s
	[[ "$1" == *"<"* ]] && b="${1#*<}"
	s="$(where "$a")"
	[ "$2" = 1 ] && s="inside jansson or qrencode, called by $s"
	[ -n "$b" ] && s+=", from $(where "$b" | sed 's/ at .*//')"
	echo "$s"
}

# ranges "1 2 3 5": "1-3 5"
ranges() {
	local out="" a="" b="" x
	for x in $1; do
		if [ -n "$b" ] && [ "$x" = $((b + 1)) ]; then
			b="$x"
			continue
		fi
		[ -n "$a" ] && { [ "$a" = "$b" ] && out+=" $a" || out+=" $a-$b"; }
		a="$x" b="$x"
	done
	[ -n "$a" ] && { [ "$a" = "$b" ] && out+=" $a" || out+=" $a-$b"; }
	echo "${out# }"
}

# resolve FILE: the report's frames in the module (function at file:line,
# inlining included) and in the parsing libraries, innermost first.
resolve() {
	local k obj off
	while read -r k obj off; do
		[ "$k" = frame ] || continue
		case "$obj" in
		*pam_oidc.so)
			addr2line -f -i -p -e "$obj" \
			    "$(printf '0x%x' $((off - 1)))" 2>/dev/null |
			    sed -e "s|$ROOT/||" -e 's| (discriminator [0-9]*)||'
			;;
		*libjansson* | *libqrencode*) echo "$(basename "$obj")+$off" ;;
		esac
	done <"$1"
}

# explain MODE N: the kept login: the failing call site, the
# interposer's backtrace (module and parser frames), the module's log;
# for a crash, the login once more under gdb.
explain() {
	local mode="$1" n="$2" k="$WORK/keep/$1-$2" d="$WORK/slot0"
	echo "    # the failed allocation, innermost first:"
	resolve "$k.report" | sed 's/^/    #   /'
	echo "    # backtrace_symbols_fd (module and parser frames) and the log:"
	grep -E '^SYSLOG|^RESULT|(pam_oidc|libjansson|libqrencode)[^ ]*\(' \
	    "$k.out" | head -n 40 | sed 's/^/    | /'
	if grep -q '^RESULT' "$k.out"; then
		return
	fi
	echo "    | (no RESULT line: the driver did not finish)"
	if command -v gdb >/dev/null; then
		prepare_cache 0 "$mode"
		echo "    # the same N under gdb (the count may shift by a few):"
		env "${RUN_ENV[@]}" FAILMALLOC_N="$n" gdb -q -batch \
		    -ex run -ex bt --args "$DRIVE" -q -c "$d/pam.d" \
		    -s robust -u alice 2>&1 | tail -n 30 | sed 's/^/    | /'
	fi
}

declare -A SWEEP_TIME=() SWEEP_C=() SWEEP_N=() BAD=()
BAD_KEYS=()

# sweep MODE: the baseline, then every N; prints the checks and tables.
sweep() {
	local mode="$1" c last s t0 t1 n rc acct fl lib site reason key
	local succ=0 crash=0 hang=0 acctok=0 flaky=0 unreached=0 runs=0
	local succ_n="" crash_n="" hang_n="" acct_n="" flaky_n=""
	local -A codes=() groups=() sample=()
	prepare_cache 0 "$mode"
	login 0 0
	c="$REP_COUNT"
	if [ "$RC" != 0 ] || [ "$ACCT" != 0 ] || [ "$c" = - ]; then
		not_ok "$mode cache: baseline login succeeds" \
		    "auth $(pam_name "$RC"), acct $ACCT, count $c"
		grep -E '^SYSLOG|^RESULT' "$WORK/slot0/out" | sed 's/^/    | /'
		return
	fi
	ok "$mode cache: baseline login succeeds, C=$c counted allocations"
	last="$c"
	[ "$MAX" -gt 0 ] && [ "$MAX" -lt "$last" ] && last="$MAX"
	t0="$(date +%s.%N)"
	for ((s = 0; s < JOBS; s++)); do
		sweep_slot "$mode" "$s" "$last" &
	done
	wait
	t1="$(date +%s.%N)"
	SWEEP_TIME["$mode"]="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')"
	SWEEP_C["$mode"]="$c"
	SWEEP_N["$mode"]="$last"
	sort -n "$WORK/$mode".[0-9]* >"$WORK/$mode.all"
	while IFS=$'\t' read -r line reason; do
		read -r n rc acct fl _ lib site <<<"$line"
		runs=$((runs + 1))
		if [ "$fl" != 1 ]; then
			# This login made fewer than N allocations.
			if [ "$rc" = 0 ] && [ "$acct" = 0 ]; then
				unreached=$((unreached + 1))
			else
				flaky=$((flaky + 1))
				flaky_n+=" $n($(pam_name "$rc"))"
			fi
			continue
		fi
		codes["$rc"]=$((${codes["$rc"]:-0} + 1))
		key="$rc $lib $site"
		groups["$key"]=$((${groups["$key"]:-0} + 1))
		[ -n "${sample[$key]:-}" ] || sample["$key"]="$n: $reason"
		if [ "$rc" = 0 ]; then
			succ=$((succ + 1))
			succ_n+=" $n"
		elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			hang=$((hang + 1))
			hang_n+=" $n"
		elif [ "$rc" -gt 128 ]; then
			crash=$((crash + 1))
			crash_n+=" $n"
		elif [ "$acct" = 0 ]; then
			acctok=$((acctok + 1))
			acct_n+=" $n"
		else
			continue
		fi
		key="$mode $lib $site $reason"
		[ -n "${BAD[$key]:-}" ] || BAD_KEYS+=("$key")
		BAD["$key"]+=" $n"
	done <"$WORK/$mode.all"
	echo "# $mode cache: C=$c; N=1..$last swept ($runs logins, $JOBS at a time) in ${SWEEP_TIME[$mode]} s"
	echo "# $mode cache: pam_authenticate after the failed allocation:"
	for rc in $(printf '%s\n' "${!codes[@]}" | sort -n); do
		printf '#   %-22s %5d\n' "$(pam_name "$rc")" "${codes[$rc]}"
	done
	[ "$unreached" -gt 0 ] &&
	    echo "# $mode cache: $unreached logins made fewer than N allocations (nothing failed; they succeeded)"
	echo "# $mode cache: by call site (code, logins, site; first N: first warning or error logged):"
	for key in "${!groups[@]}"; do
		echo "$key"
	done | sort -k1,1n -k3 >"$WORK/$mode.groups"
	while read -r key; do
		read -r rc lib site <<<"$key"
		printf '#   %-20s %4d  %s\n#%27s N=%s\n' "$(pam_name "$rc")" \
		    "${groups[$key]}" "$(site_name "$site" "$lib")" "" \
		    "${sample[$key]}"
	done <"$WORK/$mode.groups"
	check "$mode cache: no login succeeds after a failed allocation" \
	    "$succ succeeded (N = $(ranges "$succ_n"))" [ "$succ" -eq 0 ]
	check "$mode cache: no crash" \
	    "$crash crashed (N = $(ranges "$crash_n"))" [ "$crash" -eq 0 ]
	check "$mode cache: no hang (every login ends within ${TMO} s)" \
	    "$hang timed out (N = $(ranges "$hang_n"))" [ "$hang" -eq 0 ]
	check "$mode cache: acct_mgmt refuses whenever authentication failed" \
	    "$acctok accepted (N = $(ranges "$acct_n"))" [ "$acctok" -eq 0 ]
	check "$mode cache: logins without an injected failure succeed" \
	    "$flaky failed:$flaky_n" [ "$flaky" -eq 0 ]
}

for ((s = 0; s < JOBS; s++)); do
	slot_setup "$s"
done
mkdir -p "$WORK/keep"

# The warm template: what one complete login leaves in the cache.
prepare_cache 0 cold
login 0 0
cp -a "$WORK/slot0/cache" "$WORK/warm-cache"

t_start="$(date +%s)"
sweep warm
[ "${ALLOC_COLD:-1}" != 0 ] && sweep cold

# Each call site (and log line) where a login succeeded, crashed, hung or
# passed acct_mgmt after a failed allocation, shown with its first N.
for key in "${BAD_KEYS[@]}"; do
	read -r mode lib site reason <<<"$key"
	first="${BAD[$key]# }"
	echo "# finding ($mode cache): $(site_name "$site" "$lib")"
	echo "#   logged: $reason"
	echo "#   N = $(ranges "${BAD[$key]}")"
	explain "$mode" "${first%% *}"
done

for mode in warm cold; do
	[ -n "${SWEEP_C[$mode]:-}" ] &&
	    echo "# $mode: C=${SWEEP_C[$mode]}, N=1..${SWEEP_N[$mode]}, ${SWEEP_TIME[$mode]} s"
done
echo "# total time: $(($(date +%s) - t_start)) s"
echo "robust: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
