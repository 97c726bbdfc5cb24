#!/usr/bin/env bash
# make bench: measure logins against the bundled provider and print one
# table. Numbers only: nothing here passes or fails on a time.
#   run.sh BUILD_DIR      (BENCH_N logins per row, default 20)
set -euo pipefail

BUILD_ABS="$(cd "${1:-build}" && pwd)"
. "$(dirname "$0")/../integration/lib.sh"
N="${BENCH_N:-20}"

WORK="$(mktemp -d /tmp/pam_oidc-bench.XXXXXX)"
chmod 0755 "$WORK"
trap 'idp_stop "$WORK/idp"; rm -rf "$WORK"' EXIT
idp_start "$WORK/idp" IDP_INTERVAL=1
nss_setup "$WORK"
mkdir -p "$WORK/pam.d" "$WORK/cache"
write_conf "$WORK/bench.conf" pam-public "wait = poll"
write_service "$WORK/pam.d" bench "$WORK/bench.conf"

# stats FILE: "median min max" of the numbers in FILE.
stats() {
	python3 -c '
import statistics, sys
v = [float(x) for x in open(sys.argv[1]) if x.strip()]
print("%.1f %.1f %.1f" % (statistics.median(v), min(v), max(v)))' "$1"
}

# One login up to the moment the code reaches the conversation.
time_to_code() {
	login_start "$WORK/ttc.out" bench alice
	for _ in $(seq 1 400); do
		grep -q '^TIMING code_ms=' "$WORK/ttc.out" && break
		sleep 0.01
	done
	kill "$LOGIN_PID" 2>/dev/null || true
	wait "$LOGIN_PID" 2>/dev/null || true
	sed -n 's/^TIMING code_ms=//p' "$WORK/ttc.out"
}

echo "measuring: $N logins per row" >&2
# Floor: one device-authorization POST over a fresh TLS connection by the
# curl command (transfer time, without process start).
: >"$WORK/floor"
for _ in $(seq 1 "$N"); do
	curl -sS -o /dev/null -w '%{time_total}\n' --cacert "$IDP_DIR/ca.pem" \
	    -d client_id=pam-public -d scope=openid "$IDP_URL/device/auth" |
	    awk '{print $1 * 1000}' >>"$WORK/floor"
done
: >"$WORK/cold"
for _ in $(seq 1 "$N"); do
	rm -f "$WORK/cache"/*
	time_to_code >>"$WORK/cold"
done
: >"$WORK/warm"
time_to_code >/dev/null	# fill the cache
for _ in $(seq 1 "$N"); do
	time_to_code >>"$WORK/warm"
done

# Complete logins, counted at the provider; the first one only warms the
# JWKS cache (the JWKS is fetched once a token has arrived).
: >"$WORK/conns"; : >"$WORK/reqs"; : >"$WORK/disco"
for i in 0 1 2 3; do
	idp_reset "$IDP_DIR" "$IDP_PORT"
	login_start "$WORK/full.out" bench alice
	approve "$(wait_code "$WORK/full.out")" alice approve
	login_wait
	[ "$LOGIN_RC" -eq 0 ] || { echo "bench: a login failed" >&2; exit 1; }
	[ "$i" -eq 0 ] && continue
	idp_stat "$IDP_DIR" "$IDP_PORT" "s['module_connections']" \
	    >>"$WORK/conns"
	idp_stat "$IDP_DIR" "$IDP_PORT" "sum(s['module_requests'].values())" \
	    >>"$WORK/reqs"
	idp_stat "$IDP_DIR" "$IDP_PORT" \
	    "sum(v for k, v in s['module_requests'].items() if 'well-known' in k or 'jwks' in k)" \
	    >>"$WORK/disco"
	polls="$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['module_requests'].get('/token', 0)")"
done

read -r fm fmin fmax < <(stats "$WORK/floor")
read -r cm cmin cmax < <(stats "$WORK/cold")
read -r wm wmin wmax < <(stats "$WORK/warm")
read -r km kmin kmax < <(stats "$WORK/conns")
read -r rm rmin rmax < <(stats "$WORK/reqs")
read -r dm dmin dmax < <(stats "$WORK/disco")
ratio="$(python3 -c "print('%.2f' % ($wm / $fm))")"

printf '\n%-44s %9s %9s %9s  %s\n' "row (ms unless said)" median min max target
printf '%-44s %9s %9s %9s  %s\n' "floor: device POST, fresh TLS (curl)" \
    "$fm" "$fmin" "$fmax" "-"
printf '%-44s %9s %9s %9s  %s\n' "time-to-code, cold cache" "$cm" "$cmin" \
    "$cmax" "floor + one request"
printf '%-44s %9s %9s %9s  %s\n' "time-to-code, warm cache" "$wm" "$wmin" \
    "$wmax" "<= 1.5x floor (now ${ratio}x)"
printf '%-44s %9s %9s %9s  %s\n' "TLS connections per login (count)" "$km" \
    "$kmin" "$kmax" "1"
printf '%-44s %9s %9s %9s  %s\n' "HTTP requests per login, warm (count)" \
    "$rm" "$rmin" "$rmax" "1 + polls (last: $polls polls)"
printf '%-44s %9s %9s %9s  %s\n' "discovery+JWKS requests, warm (count)" \
    "$dm" "$dmin" "$dmax" "0"
