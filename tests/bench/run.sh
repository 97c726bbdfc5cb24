#!/usr/bin/env bash
# make bench: measure logins against the bundled provider and print one
# Markdown table (report.py). Numbers only: nothing here passes or fails
# on a time; the run fails only when something is broken (a tool is
# missing, a login does not succeed, the provider records no approval).
#   run.sh BUILD_DIR
# Environment: BENCH_N logins per row (default 20), BENCH_SCALE concurrent
# logins (default 200), BENCH_SEED for the approval moments (default
# 8628), BENCH_CPU_N logins under callgrind (default 3),
# BENCH_SCALE_INTERVALS (default "1 5"); BENCH_KEEP=1 keeps the work
# directory (every result line, the provider's counters, the profiles).
#
# Every login runs in benchdrive (a PAM application, one result line per
# login, CLOCK_REALTIME stamps). One approver process (approver.py) plays
# the person: it approves each code through POST /__approve at a moment
# drawn from a seeded generator, uniform over two intervals after the code
# appeared. The provider records when it took each approval; approval ->
# success is the driver's pam_authenticate return minus that moment.
set -euo pipefail

BUILD_ABS="$(cd "${1:-build}" && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../integration/lib.sh"
N="${BENCH_N:-20}"
SCALE="${BENCH_SCALE:-200}"
CPU_N="${BENCH_CPU_N:-3}"
SCALE_INTERVALS="${BENCH_SCALE_INTERVALS:-1 5}"
export BENCH_SEED="${BENCH_SEED:-8628}"
INTERVALS="1 5"

die() {
	echo "bench: $*" >&2
	if [ -s "${WORK:-}/drive.log" ]; then
		echo "bench: the module's last log lines:" >&2
		tail -n 20 "$WORK/drive.log" >&2
	fi
	exit 1
}
for t in python3 valgrind curl node mkfifo; do
	command -v "$t" >/dev/null 2>&1 || die "$t is not installed (make deps)"
done
case "$(ldconfig -p)" in
*libnss_wrapper.so*) ;;
*) die "libnss_wrapper is not installed (make deps)" ;;
esac
for b in pam_oidc.so benchdrive floor libconly; do
	[ -e "$BUILD_ABS/$b" ] ||
	    die "no $BUILD_ABS/$b (make BUILD=$BUILD_ABS all test-bins)"
done

WORK="$(mktemp -d /tmp/pam_oidc-bench.XXXXXX)"
chmod 0755 "$WORK"
APPROVER_PID=""
cleanup() {
	if [ -n "$APPROVER_PID" ]; then
		kill "$APPROVER_PID" 2>/dev/null || true
		wait "$APPROVER_PID" 2>/dev/null || true
	fi
	idp_stop "$WORK/idp"
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: results kept in $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

idp_start "$WORK/idp" IDP_INTERVAL=1
nss_setup "$WORK"
mkdir -p "$WORK/pam.d" "$WORK/cache" "$WORK/stats"
# timeout: a login the approver failed to approve ends in a minute (the
# slowest good one, at interval 5 under 200 at once, takes under 30 s).
write_conf "$WORK/bench.conf" pam-public "wait = poll" "timeout = 60"
write_service "$WORK/pam.d" bench "$WORK/bench.conf"
write_conf "$WORK/enter.conf" pam-public "wait = enter" "timeout = 60"
write_service "$WORK/pam.d" bench-enter "$WORK/enter.conf"
printf 'auth required pam_permit.so\naccount required pam_permit.so\n' \
    >"$WORK/pam.d/permit"

post() {
	curl -sS --fail --cacert "$IDP_DIR/ca.pem" -X POST "$IDP_URL$1" \
	    >/dev/null
}
stats_to() {
	curl -sS --fail --cacert "$IDP_DIR/ca.pem" "$IDP_URL/__stats" >"$1"
}
# drive SERVICE TAG [benchdrive args...]: one login, its result line on
# stdout, the module's log appended to drive.log.
drive() {
	local svc="$1" tag="$2"
	shift 2
	env "${NSS_ENV[@]}" "$BUILD_ABS/benchdrive" -c "$WORK/pam.d" -s "$svc" \
	    -u alice -t "$tag" "$@" 2>>"$WORK/drive.log"
}
# A login approved at once, after emptying the cache: discovery and JWKS
# fresh for the warm rows that follow (the provider allows 300 s).
warm_login() {
	rm -f "$WORK/cache"/*
	drive bench "0:warm" -a "$WORK/fifo" >/dev/null ||
	    die "a login failed (see the module's log)"
}
# children_cpu FILE: the user plus system CPU seconds of this shell's
# finished children. Not in a subshell: only this shell knows them.
children_cpu() {
	times >"$1"
	sed -n 2p "$1" | tr 'ms' '  ' |
	    awk '{print $1 * 60 + $2 + $3 * 60 + $4}' >"$1.s"
}

echo "bench: $N logins per row, $SCALE concurrent; a few minutes" >&2

cat /proc/loadavg >"$WORK/load.start"

# Floors and time-to-code, one sample of each in turn, so that a change in
# the machine's load weighs on all four alike. The second floor sample
# fetches the discovery document first, as the cold login must, then makes
# the POST on the same connection. -x takes the time when the
# code shows and then fails that conversation, which ends the login; the
# module still writes the discovery document it accepted, so the cold
# sample leaves it in the cache for the warm one.
for i in $(seq 1 "$N"); do
	"$BUILD_ABS/floor" "$IDP_URL/device/auth" "$IDP_DIR/ca.pem" \
	    "client_id=pam-public&scope=openid%20email%20profile%20roles" \
	    >>"$WORK/floor.res"
	"$BUILD_ABS/floor" "$IDP_URL/device/auth" "$IDP_DIR/ca.pem" \
	    "client_id=pam-public&scope=openid%20email%20profile%20roles" \
	    "$IDP_URL/.well-known/openid-configuration" >>"$WORK/floor2.res"
	"$BUILD_ABS/libconly" >>"$WORK/libconly.res"
	rm -f "$WORK/cache"/*
	drive bench "0:$i:cold" -x >>"$WORK/cold.res" ||
	    die "time-to-code: no code (see the module's log)"
	drive bench "0:$i:warm" -x >>"$WORK/warm.res" ||
	    die "time-to-code: no code (see the module's log)"
done
# The same two programs in instructions, which the load does not change:
# the floor program from main, the warm module up to the code.
valgrind --tool=callgrind --collect-atstart=no --toggle-collect=main \
    --callgrind-out-file="$WORK/callgrind.floor" "$BUILD_ABS/floor" \
    "$IDP_URL/device/auth" "$IDP_DIR/ca.pem" \
    "client_id=pam-public&scope=openid%20email%20profile%20roles" \
    >/dev/null 2>>"$WORK/valgrind.log"
# And the floor program whole, from exec to exit, its libraries bound at
# load as libpam's dlopen binds the module's: what one libcurl POST costs
# a process on this machine, beside the whole login's count.
LD_BIND_NOW=1 valgrind --tool=callgrind \
    --callgrind-out-file="$WORK/callgrind.floorall" "$BUILD_ABS/floor" \
    "$IDP_URL/device/auth" "$IDP_DIR/ca.pem" \
    "client_id=pam-public&scope=openid%20email%20profile%20roles" \
    >/dev/null 2>>"$WORK/valgrind.log"
env "${NSS_ENV[@]}" valgrind --tool=callgrind --collect-atstart=no \
    --toggle-collect=pam_authenticate \
    --callgrind-out-file="$WORK/callgrind.ttc" "$BUILD_ABS/benchdrive" \
    -c "$WORK/pam.d" -s bench -u alice -t 0:0:ttc -X \
    >/dev/null 2>>"$WORK/valgrind.log"

mkfifo "$WORK/fifo"
mkdir "$WORK/approved"
python3 "$HERE/approver.py" "$WORK/fifo" "$IDP_URL" "$IDP_DIR/ca.pem" \
    "$BENCH_SEED" "$WORK/approver.log" "$WORK/approver.ready" \
    "$WORK/approved" &
APPROVER_PID=$!
for _ in $(seq 1 200); do
	[ -e "$WORK/approver.ready" ] && break
	sleep 0.05
done
[ -e "$WORK/approver.ready" ] || die "the approver did not start"

# approval_row INTERVAL COUNT: logins one after the other, each approved
# at its own random moment; the provider's counters per login.
approval_row() {
	local iv="$1" n="$2" i
	post "/__interval?value=$iv"
	warm_login
	for i in $(seq 1 "$n"); do
		idp_reset "$IDP_DIR" "$IDP_PORT"
		drive bench "$((2000 * iv)):$i:i$iv" -a "$WORK/fifo" \
		    >>"$WORK/i$iv.res" || true
		stats_to "$WORK/stats/i$iv-$i.json"
	done
}

# scale_row INTERVAL: SCALE drivers at once, as sshd forks one per
# connection; each writes its own result file, collected at the end.
scale_row() {
	local iv="$1" i node n0 n1 w0 w1
	local -a pids=()
	post "/__interval?value=$iv"
	warm_login
	idp_reset "$IDP_DIR" "$IDP_PORT"
	mkdir -p "$WORK/scale$iv"
	node="$(cat "$IDP_DIR/idp.pid")"
	n0="$(awk '{print $14 + $15}' "/proc/$node/stat")"
	children_cpu "$WORK/times0"
	w0="$(date +%s.%N)"
	for i in $(seq 1 "$SCALE"); do
		drive bench "$((2000 * iv)):$i:s$iv" -a "$WORK/fifo" \
		    >"$WORK/scale$iv/$i.out" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	w1="$(date +%s.%N)"
	children_cpu "$WORK/times1"
	n1="$(awk '{print $14 + $15}' "/proc/$node/stat")"
	stats_to "$WORK/stats/scale$iv.json"
	python3 "$HERE/scale_cpu.py" \
	    "$w0" "$w1" "$n0" "$n1" "$(cat "$WORK/times0.s")" \
	    "$(cat "$WORK/times1.s")" >"$WORK/scale$iv.cpu"
}

# At interval 1 three times N logins (they are short): the p95 of the
# scale row is held against this row's p95, which 20 logins estimate
# poorly.
approval_row 1 "$((3 * N))"

# Enter -> success: wait = enter; the approver approves the moment the
# code shows, and the driver answers the prompt as soon as the provider
# has taken the approval: from then on nothing is left to wait for.
post "/__interval?value=1"
for i in $(seq 1 "$N"); do
	idp_reset "$IDP_DIR" "$IDP_PORT"
	drive bench-enter "0:$i:enter" -a "$WORK/fifo" -e "$WORK/approved" \
	    >>"$WORK/enter.res" || true
	stats_to "$WORK/stats/enter-$i.json"
done

# CPU: whole logins under callgrind, counted from pam_start to pam_end;
# approved at once, so one token poll. cpu.py explains the split.
warm_login
for i in $(seq 1 "$CPU_N"); do
	env "${NSS_ENV[@]}" valgrind --tool=callgrind --collect-atstart=no \
	    --toggle-collect=pam_start_confdir \
	    --toggle-collect=pam_authenticate \
	    --toggle-collect=pam_acct_mgmt --toggle-collect=pam_end \
	    --callgrind-out-file="$WORK/callgrind.$i" \
	    "$BUILD_ABS/benchdrive" -c "$WORK/pam.d" -s bench -u alice \
	    -t "0:$i:cpu" -a "$WORK/fifo" >>"$WORK/cpu.res" \
	    2>>"$WORK/valgrind.log" || true
	python3 "$HERE/cpu.py" "$WORK/callgrind.$i" >"$WORK/cpu-$i.txt"
done

# Memory: the same driver with pam_permit.so only; then one login of each
# with its mappings copied, for the notes on where the pages are.
for i in $(seq 1 "$N"); do
	drive permit "0:$i:permit" >>"$WORK/permit.res" || true
done
drive bench "0:0:smaps" -a "$WORK/fifo" -M "$WORK/smaps.oidc" >/dev/null ||
    die "a login failed (see the module's log)"
drive permit "0:0:smaps" -M "$WORK/smaps.permit" >/dev/null

for iv in $SCALE_INTERVALS; do
	[ "$iv" = 5 ] && continue
	scale_row "$iv"
done
approval_row 5 "$N"
for iv in $SCALE_INTERVALS; do
	[ "$iv" = 5 ] && scale_row 5
done

kill "$APPROVER_PID" 2>/dev/null || true
wait "$APPROVER_PID" 2>/dev/null || true
APPROVER_PID=""
cat /proc/loadavg >"$WORK/load.end"

echo "bench: largest functions of each CPU part (login 1):" >&2
sed -n 's/^# /  /p' "$WORK/cpu-1.txt" >&2
python3 "$HERE/report.py" "$WORK" "$N" "$SCALE" "$INTERVALS" \
    "$SCALE_INTERVALS"
