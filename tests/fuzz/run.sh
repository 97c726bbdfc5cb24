#!/bin/bash
# Build and run the libFuzzer targets of tests/fuzz:
#   tests/fuzz/run.sh [SECONDS_PER_TARGET [BUILD_DIR]]
# SECONDS_PER_TARGET defaults to 60 (0: build and replay only), BUILD_DIR
# to build-fuzz. FUZZ_TARGETS="jws config" limits the targets, FUZZ_JOBS
# the fuzzers run at once (default 2, at most the number of CPUs).
#
# 1. Compiles pam_oidc/*.c (but pam_oidc.c and handle.c, which need PAM) and
#    each tests/fuzz/fuzz_<target>.c with clang's libFuzzer, ASan and UBSan
#    into BUILD_DIR, rebuilding only what is older than its sources. The
#    login target links the scripted doubles of tests/unit (http_script.c,
#    clock_script.c) in place of http.c and interrupt.c, without libcurl,
#    and wraps the core's allocation functions so it can fail them.
# 2. Replays tests/fuzz/regress/<target>/* (reproducers of fixed bugs) and
#    tests/fuzz/corpus/<target>/*; any crash, leak or timeout fails the run.
# 3. Fuzzes each target for SECONDS_PER_TARGET with the working corpus
#    BUILD_DIR/corpus/<target> (the checked-in corpus is only read), and
#    prints one line per target: executions, CPU seconds, corpus size and
#    result. A crash, leak, timeout or out-of-memory leaves its reproducer
#    in BUILD_DIR/crashes/<target>/ and makes the exit status non-zero.
set -euo pipefail

secs=${1:-60}
build=${2:-build-fuzz}

case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS_PER_TARGET [BUILD_DIR]]" >&2
	exit 2
	;;
esac

cd "$(dirname "$0")/../.."
root=$(pwd)
case $build in
/*) ;;
*) build="$root/$build" ;;
esac
fuzzdir="$root/tests/fuzz"

CC=${CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "run.sh: $CC not found; libFuzzer needs clang" >&2
	exit 2
fi
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -Ipam_oidc -std=gnu11"
LIBS="-lcurl -ljansson -lcrypto -lqrencode"

ncpu=$(nproc 2>/dev/null || echo 1)
jobs=${FUZZ_JOBS:-2}
case $jobs in
'' | *[!0-9]* | 0) jobs=1 ;;
esac
if [ "$jobs" -gt "$ncpu" ]; then
	jobs=$ncpu
fi

if [ -n "${FUZZ_TARGETS:-}" ]; then
	read -r -a targets <<<"$FUZZ_TARGETS"
else
	targets=()
	for f in "$fuzzdir"/fuzz_*.c; do
		t=${f##*/fuzz_}
		targets+=("${t%.c}")
	done
fi
for t in "${targets[@]}"; do
	if [ ! -f "$fuzzdir/fuzz_$t.c" ]; then
		echo "run.sh: no target $t (tests/fuzz/fuzz_$t.c)" >&2
		exit 2
	fi
done

mkdir -p "$build/obj" "$build/bin" "$build/log" "$build/tmp"

# The sanitizers: leaks count as failures; reports name source lines.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] &&
	sym=$(command -v llvm-symbolizer 2>/dev/null); then
	export ASAN_SYMBOLIZER_PATH=$sym
fi
# The config target rewrites a private file for every input. On a disk
# (ext4 mounted with discard, as here) that costs a third of its
# executions, so it works in memory when /dev/shm is a writable tmpfs,
# else in the build directory; never in /tmp.
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ] &&
	shm=$(mktemp -d /dev/shm/pam_oidc-fuzz.XXXXXX); then
	trap 'rm -rf "$shm"' EXIT
	export TMPDIR="$shm"
else
	export TMPDIR="$build/tmp"
fi

# newer TARGET DEP...: is TARGET missing or older than a DEP?
newer() {
	local out=$1 dep
	shift
	[ -e "$out" ] || return 0
	for dep in "$@"; do
		[ "$dep" -nt "$out" ] && return 0
	done
	return 1
}

# Other flags or another compiler: build everything again.
stamp="$CC $($CC --version 2>/dev/null | head -n 1) $CFLAGS $LIBS"
if [ ! -f "$build/flags" ] || [ "$(cat "$build/flags")" != "$stamp" ]; then
	rm -f "$build"/obj/*.o "$build"/obj/libcore*.a "$build"/bin/fuzz_*
	printf '%s\n' "$stamp" >"$build/flags"
fi

headers=(pam_oidc/*.h)
objs=()
pending=()
for src in pam_oidc/*.c; do
	name=${src##*/}
	name=${name%.c}
	case $name in
	pam_oidc | handle) continue ;;
	esac
	obj="$build/obj/$name.o"
	objs+=("$obj")
	if newer "$obj" "$src" "${headers[@]}"; then
		pending+=("$src")
	fi
done

# compile SRC: one core object; its output goes to a log kept on failure.
compile() {
	local src=$1 name
	name=${src##*/}
	name=${name%.c}
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS -c "$src" -o "$build/obj/$name.o.tmp" \
		>"$build/log/cc-$name.log" 2>&1; then
		cat "$build/log/cc-$name.log" >&2
		rm -f "$build/obj/$name.o.tmp"
		return 1
	fi
	mv "$build/obj/$name.o.tmp" "$build/obj/$name.o"
}

failed_build=0
if [ "${#pending[@]}" -gt 0 ]; then
	echo "== compiling ${#pending[@]} core source(s)"
	running=0
	for src in "${pending[@]}"; do
		compile "$src" &
		running=$((running + 1))
		if [ "$running" -ge "$jobs" ]; then
			wait -n || failed_build=1
			running=$((running - 1))
		fi
	done
	while [ "$running" -gt 0 ]; do
		wait -n || failed_build=1
		running=$((running - 1))
	done
fi
if [ "$failed_build" -ne 0 ]; then
	echo "run.sh: the core does not compile" >&2
	exit 1
fi

lib="$build/obj/libcore.a"
printf '%s\n' "${objs[@]}" >"$build/obj/objects.new"
if newer "$lib" "${objs[@]}" ||
	! cmp -s "$build/obj/objects.new" "$build/obj/objects"; then
	rm -f "$lib"
	ar rcs "$lib" "${objs[@]}"
	mv "$build/obj/objects.new" "$build/obj/objects"
else
	rm -f "$build/obj/objects.new"
fi

# The core without its transport and clock, for the scripted targets.
slib="$build/obj/libcore-script.a"
sobjs=()
for o in "${objs[@]}"; do
	case ${o##*/} in
	http.o | interrupt.o) ;;
	*) sobjs+=("$o") ;;
	esac
done
if newer "$slib" "${sobjs[@]}" "$build/obj/objects"; then
	rm -f "$slib"
	ar rcs "$slib" "${sobjs[@]}"
fi
doubles=(tests/unit/http_script.c tests/unit/clock_script.c)
WRAP="-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup"

for t in "${targets[@]}"; do
	bin="$build/bin/fuzz_$t"
	case $t in
	login)
		if newer "$bin" "$fuzzdir/fuzz_$t.c" "$fuzzdir"/*.h \
			tests/unit/fixtures.h tests/unit/http_script.h \
			tests/unit/clock_script.h "${doubles[@]}" "$slib"; then
			echo "== linking fuzz_$t"
			# shellcheck disable=SC2086
			$CC $CFLAGS -Wall -Wextra -Itests/fuzz -Itests/unit \
				"$fuzzdir/fuzz_$t.c" "${doubles[@]}" -o "$bin" \
				"$slib" $WRAP -ljansson -lcrypto -lqrencode
		fi
		;;
	*)
		if newer "$bin" "$fuzzdir/fuzz_$t.c" "$fuzzdir"/*.h \
			tests/unit/fixtures.h tests/unit/jose_vectors.h "$lib"; then
			echo "== linking fuzz_$t"
			# shellcheck disable=SC2086
			$CC $CFLAGS -Wall -Wextra -Itests/fuzz -Itests/unit \
				"$fuzzdir/fuzz_$t.c" -o "$bin" "$lib" $LIBS
		fi
		;;
	esac
done

common=(-rss_limit_mb=2048 -timeout=10)

# Replay: every regression reproducer and every seed, once.
replay_failed=()
for t in "${targets[@]}"; do
	files=()
	for d in "$fuzzdir/regress/$t" "$fuzzdir/corpus/$t"; do
		[ -d "$d" ] || continue
		for f in "$d"/*; do
			[ -f "$f" ] && files+=("$f")
		done
	done
	if [ "${#files[@]}" -eq 0 ]; then
		echo "== replay $t: no inputs"
		continue
	fi
	log="$build/log/replay-$t.log"
	if "$build/bin/fuzz_$t" "${common[@]}" "${files[@]}" >"$log" 2>&1; then
		echo "== replay $t: ${#files[@]} inputs, ok"
	else
		echo "== replay $t: FAILED (log: $log)"
		grep -E '^(Running|==[0-9]+==ERROR|SUMMARY|.*runtime error)' \
			"$log" | tail -n 8 || true
		replay_failed+=("$t")
	fi
done
if [ "${#replay_failed[@]}" -gt 0 ]; then
	echo "run.sh: replay failed for: ${replay_failed[*]}" >&2
	exit 1
fi
if [ "$secs" -eq 0 ]; then
	exit 0
fi

# fuzz TARGET: one timed libFuzzer run; writes log, rc and CPU time.
fuzz() {
	local t=$1 rc=0 dict=()
	local work="$build/corpus/$t" crashes="$build/crashes/$t"
	local seeds=()

	mkdir -p "$work" "$crashes"
	[ -d "$fuzzdir/corpus/$t" ] && seeds+=("$fuzzdir/corpus/$t")
	[ -d "$fuzzdir/regress/$t" ] && seeds+=("$fuzzdir/regress/$t")
	[ -f "$fuzzdir/$t.dict" ] && dict=("-dict=$fuzzdir/$t.dict")
	TIMEFORMAT='%3U %3S'
	{ time "$build/bin/fuzz_$t" "${common[@]}" "${dict[@]}" \
		-max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$work" "${seeds[@]}" \
		>"$build/log/fuzz-$t.log" 2>&1; } 2>"$build/log/fuzz-$t.time" ||
		rc=$?
	echo "$rc" >"$build/log/fuzz-$t.rc"
}

echo "== fuzzing ${#targets[@]} target(s) for $secs s each, $jobs at once"
running=0
for t in "${targets[@]}"; do
	rm -f "$build/log/fuzz-$t.rc" "$build/log/fuzz-$t.time"
	fuzz "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
done
wait || true

total_execs=0
total_cpu=0
bad=0
reproducers=()
printf '%-10s | %12s | %11s | %11s | %s\n' target executions "CPU seconds" \
	"corpus size" result
for t in "${targets[@]}"; do
	log="$build/log/fuzz-$t.log"
	rc=$(cat "$build/log/fuzz-$t.rc" 2>/dev/null || echo 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	if [ -z "$execs" ]; then
		execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	fi
	execs=${execs:-0}
	cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$build/log/fuzz-$t.time" \
		2>/dev/null || echo 0)
	cpu=${cpu:-0}
	corpus=$(grep -oE 'corp: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	corpus=${corpus:-$(find "$build/corpus/$t" -type f | wc -l)}
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		tail -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
		result=ok
	else
		bad=1
		if grep -q 'ERROR: LeakSanitizer' "$log"; then
			result=leak
		elif grep -q 'ERROR: libFuzzer: timeout' "$log"; then
			result=timeout
		elif grep -qE 'ERROR: libFuzzer: (out-of-memory|malloc)' "$log"; then
			result=oom
		elif grep -q 'runtime error:' "$log"; then
			result=ubsan
		else
			result=crash
		fi
		if [ -n "$artifact" ]; then
			reproducers+=("$t: $artifact")
		else
			reproducers+=("$t: no reproducer written; see $log")
		fi
	fi
	printf '%-10s | %12s | %11s | %11s | %s\n' "$t" "$execs" "$cpu" \
		"$corpus" "$result"
	total_execs=$((total_execs + execs))
	total_cpu=$(awk -v a="$total_cpu" -v b="$cpu" 'BEGIN { printf "%.1f", a + b }')
done
printf '%-10s | %12s | %11s | %11s | %s\n' total "$total_execs" \
	"$total_cpu" "" "$([ "$bad" -eq 0 ] && echo ok || echo FAILED)"

if [ "$bad" -ne 0 ]; then
	echo "reproducers (run one with: $build/bin/fuzz_TARGET FILE):"
	for r in "${reproducers[@]}"; do
		echo "  $r"
	done
	echo "logs: $build/log/fuzz-TARGET.log"
	exit 1
fi
