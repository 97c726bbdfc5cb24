#!/usr/bin/env bash
# Sign-ins in 8 threads of one process at once, 50 each (threads.c),
# with the module and the driver built under ThreadSanitizer: every login
# must succeed and ThreadSanitizer must report nothing. A login changes no
# process-wide state, so a threaded PAM application can run several.
#   threads.sh [TSAN_BUILD_DIR]      (default: build-tsan; make tsan-bins)
# Environment: THREADS (8), THREAD_LOGINS (50).
set -uo pipefail

ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
case "${1:-build-tsan}" in
/*) BUILD_ABS="$1" ;;
*) BUILD_ABS="$ROOT_DIR/${1:-build-tsan}" ;;
esac
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source=tests/robust/lib.sh
. "$(dirname "$0")/lib.sh"

T="${THREADS:-8}"
L="${THREAD_LOGINS:-50}"

WORK="$(mktemp -d /tmp/pam_oidc-threads.XXXXXX)"
chmod 0755 "$WORK"
cleanup() {
	idp_stop "$WORK/idp"
	rm -rf "$WORK"
}
trap cleanup EXIT

for f in pam_oidc.so threads; do
	if [ ! -f "$BUILD_ABS/$f" ]; then
		echo "threads.sh: $BUILD_ABS/$f is missing; run make tsan-bins" >&2
		exit 2
	fi
done
robust_idp || {
	echo "threads.sh: the test provider did not start" >&2
	exit 2
}
mkdir -p "$WORK/pam.d"
mkdir -m 0700 "$WORK/cache"
robust_conf "$WORK/robust.conf" "$WORK/cache"
robust_service "$WORK/pam.d" "$WORK/robust.conf"

polls0="$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']")"
t0="$(date +%s)"
# The test user alice comes from copies of /etc/passwd and /etc/group
# bound over the real ones in a private mount namespace (nss_wrapper is
# not itself safe for threads). Its UID is one the machine does not use.
uid=2001
while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do
	uid=$((uid + 1))
done
grep -v '^alice:' /etc/passwd >"$WORK/passwd.ns"
echo "alice:x:$uid:$uid:Alice:/nonexistent:/usr/sbin/nologin" >>"$WORK/passwd.ns"
grep -v '^alice:' /etc/group >"$WORK/group.ns"
echo "alice:x:$uid:" >>"$WORK/group.ns"
chmod 0644 "$WORK/passwd.ns" "$WORK/group.ns"
# shellcheck disable=SC2016
unshare -m sh -c 'mount --make-rprivate / &&
    mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group &&
    shift 2 && exec "$@"' sh "$WORK/passwd.ns" "$WORK/group.ns" \
    env TSAN_OPTIONS="halt_on_error=0 exitcode=66 report_signal_unsafe=0 suppressions=$ROOT_DIR/tests/robust/tsan.supp log_path=$WORK/tsan" \
    timeout -k 5 1200 "$BUILD_ABS/threads" "$WORK/pam.d" robust alice "$T" "$L" \
    >"$WORK/threads.out" 2>&1
rc=$?
t1="$(date +%s)"
polls1="$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']")"
sed 's/^/# /' "$WORK/threads.out" | tail -n 20
echo "# $((T * L)) logins in $T threads in $((t1 - t0)) s"

reports="$(cat "$WORK"/tsan.* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer')"
if grep -q "^THREADS threads=$T logins=$((T * L)) failed=0$" "$WORK/threads.out" &&
    [ "$rc" = 0 ]; then
	ok "$T threads x $L logins in one process: every login PAM_SUCCESS"
else
	not_ok "$T threads x $L logins" "exit $rc"
fi
if [ "$reports" = 0 ] && [ "$rc" != 66 ]; then
	ok "ThreadSanitizer: no report over $((T * L)) concurrent logins"
else
	not_ok "ThreadSanitizer" "$reports report(s)"
	cat "$WORK"/tsan.* 2>/dev/null | head -n 80 | sed 's/^/    | /'
fi
if [ "$((polls1 - polls0))" = "$((T * L))" ]; then
	ok "the provider saw one token request per login ($((polls1 - polls0)))"
else
	not_ok "one token request per login" "$((polls1 - polls0)) for $((T * L))"
fi
echo "threads: $passed passed, $failed failed"
[ "$failed" = 0 ]
