#!/usr/bin/env bash
# make demo: a complete device-flow login for user alice through real PAM
# against the bundled provider. Open the URL in a browser and approve (any
# password; the provider's certificate is from a CA made for this run), or
# wait: the demo approves as alice after DEMO_APPROVE_AFTER seconds.
set -euo pipefail

BUILD_ABS="$(cd "${1:-build}" && pwd)"
. "$(dirname "$0")/integration/lib.sh"
DELAY="${DEMO_APPROVE_AFTER:-10}"

WORK="$(mktemp -d /tmp/pam_oidc-demo.XXXXXX)"
chmod 0755 "$WORK"
trap 'idp_stop "$WORK/idp"; kill "${APPROVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== starting the bundled OpenID Provider (HTTPS on 127.0.0.1)"
idp_start "$WORK/idp" IDP_INTERVAL=2
echo "   issuer $IDP_URL"
nss_setup "$WORK"
mkdir -p "$WORK/pam.d" "$WORK/cache"
write_conf "$WORK/pam_oidc.conf" pam-public "wait = poll"
write_service "$WORK/pam.d" demo "$WORK/pam_oidc.conf"
echo "== PAM service 'demo':"
sed 's/^/   /' "$WORK/pam.d/demo"
echo "== pam_authenticate() for alice; approve in a browser, or wait ${DELAY} s"
echo

# The stand-in person: approves as alice a little after the code appears.
(
	for _ in $(seq 1 400); do
		code="$(sed -n 's/^.*Code:  *\([^ ]*\).*$/\1/p' "$WORK/demo.out" 2>/dev/null |
		    head -n 1)"
		[ -n "$code" ] && break
		sleep 0.05
	done
	sleep "$DELAY"
	if approve "$code" alice approve 2>/dev/null; then
		echo "   (the demo approved code $code as alice)"
	fi
) &
APPROVER=$!

rc=0
env "${NSS_ENV[@]}" "$BUILD_ABS/pamdrive" -p -c "$WORK/pam.d" -s demo \
    -u alice | tee "$WORK/demo.out" || rc=$?
wait "$APPROVER" 2>/dev/null || true
echo
who="$(sed -n 's/^log: .*: user \(.*\) authenticated (sub \(.*\))$/\1, sub \2/p' \
    "$WORK/demo.out")"
if [ "$rc" -eq 0 ]; then
	echo "== PAM result: PAM_SUCCESS; verified identity: ${who}"
else
	echo "== PAM result: code $rc (not PAM_SUCCESS)"
fi
exit "$rc"
