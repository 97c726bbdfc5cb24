#!/usr/bin/env bash
# Integration tests: real libpam (pam_start_confdir) loads the built module,
# which talks HTTPS to the real test provider on 127.0.0.1.
#   run.sh BUILD_DIR
set -uo pipefail

BUILD_ABS="$(cd "${1:-build}" && pwd)"
. "$(dirname "$0")/lib.sh"
for b in pam_oidc.so pam-oidc pamdrive sudodrive unit/test_retval; do
	if [ ! -e "$BUILD_ABS/$b" ]; then
		echo "run.sh: no $BUILD_ABS/$b;" \
		    "run make BUILD=$BUILD_ABS all test-bins" >&2
		exit 2
	fi
done
. "$(dirname "$0")/providers.sh"
. "$(dirname "$0")/hostile.sh"
. "$(dirname "$0")/identity.sh"
. "$(dirname "$0")/proxy_tests.sh"
. "$(dirname "$0")/pamconf.sh"
. "$(dirname "$0")/nss.sh"
. "$(dirname "$0")/ux.sh"

# The module speaks the application's language (pamdrive takes the
# environment's locale, as sudo does): these tests expect English.
export LC_ALL=C

PAM_SUCCESS=0 PAM_SERVICE_ERR=3 PAM_AUTH_ERR=7 PAM_AUTHINFO_UNAVAIL=9
PAM_USER_UNKNOWN=10 PAM_CONV_ERR=19

WORK="$(mktemp -d /tmp/pam_oidc-it.XXXXXX)"
chmod 0755 "$WORK"
passed=0 failed=0
cleanup() {
	idp_stop "$WORK/idp"
	idp_stop "$WORK/idp-short"
	idp_stop "$WORK/idp-ux"
	proxy_stop "$WORK/idp"
	[ -n "${HANG_PID:-}" ] && kill "$HANG_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1: $2"
	[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/    | /' "$3" | tail -n 40
}
# expect NAME WANT GOT [OUTPUT_FILE]
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want $2, got $3" "${4:-}"; fi
}

nss_setup "$WORK"
mkdir -p "$WORK/pam.d" "$WORK/cache"
chmod 0700 "$WORK/cache"
idp_start "$WORK/idp" IDP_INTERVAL=1
MAIN_DIR="$IDP_DIR" MAIN_PORT="$IDP_PORT" MAIN_URL="$IDP_URL"
proxy_start "$IDP_DIR" "$IDP_PORT"
use_main() { IDP_DIR="$MAIN_DIR" IDP_PORT="$MAIN_PORT" IDP_URL="$MAIN_URL"; }

# login NAME CLIENT USER APPROVER MODE [conf lines...]: one complete login
# where APPROVER approves (or denies) at the provider; prints the PAM code.
login() {
	local name="$1" client="$2" user="$3" who="$4" mode="$5" code
	shift 5
	write_conf "$WORK/$name.conf" "$client" "$@"
	write_service "$WORK/pam.d" "$name" "$WORK/$name.conf"
	login_start "$WORK/$name.out" "$name" "$user"
	if code="$(wait_code "$WORK/$name.out")"; then
		approve "$code" "$who" "$mode" ||
		    echo "approve.sh failed" >>"$WORK/$name.out"
	fi
	login_wait
	echo "$LOGIN_RC"
}

test_exported_symbols() {
	local syms
	syms="$(nm -D --defined-only "$BUILD_ABS/pam_oidc.so" |
	    awk '$2 ~ /^[TDBRW]$/ {print $3}' | sort | tr '\n' ' ')"
	expect "only pam_sm_* are exported" \
	    "pam_sm_acct_mgmt pam_sm_authenticate pam_sm_setcred " "$syms"
}

test_approve_poll_mode() {
	local rc
	idp_reset "$IDP_DIR" "$IDP_PORT"
	rc="$(login approve pam-public alice alice approve "wait = poll" \
	    "qr = utf8")"
	expect "approved login returns PAM_SUCCESS" $PAM_SUCCESS "$rc" \
	    "$WORK/approve.out"
	grep -q '^RESULT acct=Success' "$WORK/approve.out" &&
	    ok "acct_mgmt succeeds for the user this module authenticated" ||
	    not_ok "acct_mgmt after login" "not Success" "$WORK/approve.out"
	# wait = poll shows the code as PAM_TEXT_INFO (style 4), no prompt.
	if grep -q '^MSG 4$' "$WORK/approve.out" &&
	    ! grep -q '^MSG 1$' "$WORK/approve.out"; then
		ok "wait=poll shows the code as text info without a prompt"
	else
		not_ok "wait=poll message style" "expected only MSG 4" \
		    "$WORK/approve.out"
	fi
	for want in "Sign-in for alice to approve on" "Open:  $IDP_URL/device" \
	    "Code:  " "▀"; do
		grep -qF -- "$want" "$WORK/approve.out" ||
		    { not_ok "display shows '$want'" "missing" \
		    "$WORK/approve.out"; return; }
	done
	ok "display shows context line, URL, code and QR"
	expect "no early polls reached the provider" 0 \
	    "$(idp_stat "$IDP_DIR" "$IDP_PORT" \
	    "s['early_polls'] + s['first_polls_early']")"
	expect "one TLS connection for the whole login (cold cache)" 1 \
	    "$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['module_connections']")"
}

test_warm_cache_no_discovery_or_jwks() {
	local rc
	idp_reset "$IDP_DIR" "$IDP_PORT"
	rc="$(login warm pam-public alice alice approve "wait = poll")"
	expect "second login succeeds" $PAM_SUCCESS "$rc" "$WORK/warm.out"
	expect "warm cache: no discovery or JWKS request" 0 \
	    "$(idp_stat "$IDP_DIR" "$IDP_PORT" \
	    "sum(v for k,v in s['module_requests'].items() if 'well-known' in k or 'jwks' in k)")"
	expect "warm cache: one TLS connection" 1 \
	    "$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['module_connections']")"
}

test_client_auth_methods() {
	local rc
	rc="$(login basic pam-basic alice alice approve \
	    "client_auth = client_secret_basic")"
	expect "client_secret_basic login succeeds" $PAM_SUCCESS "$rc" \
	    "$WORK/basic.out"
	rc="$(login post pam-post alice alice approve \
	    "client_auth = client_secret_post")"
	expect "client_secret_post login succeeds" $PAM_SUCCESS "$rc" \
	    "$WORK/post.out"
	rc="$(login none pam-public alice alice approve "client_auth = none")"
	expect "public client (none) login succeeds" $PAM_SUCCESS "$rc" \
	    "$WORK/none.out"
	rc="$(login badsecret pam-basic-wrong alice alice approve)"
	expect "a client the provider refuses gives PAM_AUTHINFO_UNAVAIL" \
	    $PAM_AUTHINFO_UNAVAIL "$rc" "$WORK/badsecret.out"
}

test_logs_reasons_and_no_secrets() {
	local rc out="$WORK/secrets.out"
	rc="$(login secrets pam-basic alice alice approve "debug = yes")"
	expect "debug login succeeds" $PAM_SUCCESS "$rc" "$out"
	grep -q '^SYSLOG .*user alice authenticated (sub a1f2c3d4-0001)' \
	    "$out" && ok "the decision is logged with user and sub" ||
	    not_ok "decision log line" "missing" "$out"
	grep -q '^SYSLOG 7 .*ID token verified with alg RS256 kid' "$out" &&
	    ok "debug logs the algorithm and kid" ||
	    not_ok "debug log line" "missing" "$out"
	if grep '^SYSLOG' "$out" | grep -qE 'basic-secret|eyJ|YmFzaWMtc2Vj'; then
		not_ok "no secret or token in the log" "found one" "$out"
	else
		ok "no client secret or token in the log, even with debug"
	fi
}

test_slow_down_honoured() {
	local rc code
	# The provider announces 1 s but enforces 2 s between polls, and the
	# person approves late: the first poll (1 s) is pending, the second
	# (2 s) is early and draws slow_down with interval 7; the module must
	# then wait 7 s.
	curl -sS --cacert "$IDP_DIR/ca.pem" -X POST \
	    "$IDP_URL/__interval?value=2&announce=1" >/dev/null
	idp_reset "$IDP_DIR" "$IDP_PORT"
	write_conf "$WORK/slowdown.conf" pam-public "debug = yes"
	write_service "$WORK/pam.d" slowdown "$WORK/slowdown.conf"
	login_start "$WORK/slowdown.out" slowdown alice
	if code="$(wait_code "$WORK/slowdown.out")"; then
		sleep 2.5
		approve "$code" alice approve ||
		    echo "approve.sh failed" >>"$WORK/slowdown.out"
	fi
	login_wait
	rc=$LOGIN_RC
	curl -sS --cacert "$IDP_DIR/ca.pem" -X POST \
	    "$IDP_URL/__interval?value=1" >/dev/null
	expect "login with a slow_down on the way succeeds" $PAM_SUCCESS \
	    "$rc" "$WORK/slowdown.out"
	expect "after slow_down no further early poll" 1 \
	    "$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['early_polls']")"
	grep -q '^SYSLOG 7 .*slow_down: interval now 7 s' "$WORK/slowdown.out" &&
	    ok "slow_down takes the server's new interval" ||
	    not_ok "slow_down interval" "not 7 s" "$WORK/slowdown.out"
}

test_helper_login() {
	local code rc=0
	write_conf "$WORK/helper.conf" pam-public "wait = poll"
	env "${NSS_ENV[@]}" "$BUILD_ABS/pam-oidc" login --config \
	    "$WORK/helper.conf" --user alice >"$WORK/helper.out" 2>&1 &
	LOGIN_PID=$!
	code="$(wait_code "$WORK/helper.out")" && approve "$code" alice approve
	login_wait
	expect "pam-oidc login: approved gives exit 0" 0 "$LOGIN_RC" \
	    "$WORK/helper.out"
	grep -q '"sub": "a1f2c3d4-0001"' "$WORK/helper.out" &&
	    grep -q '^local user: alice' "$WORK/helper.out" &&
	    ok "pam-oidc login prints the verified claims and the user" ||
	    not_ok "pam-oidc login output" "claims missing" "$WORK/helper.out"
}

# memcheck over one complete login: no error, nothing definitely lost.
test_valgrind_login() {
	local code
	if [ -n "${ASAN_PRELOAD:-}" ]; then
		echo "skip - valgrind login: this build runs under ASan"
		return
	fi
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "skip - valgrind login: valgrind is not installed"
		return
	fi
	write_conf "$WORK/vg.conf" pam-basic "wait = poll"
	write_service "$WORK/pam.d" vg "$WORK/vg.conf"
	env "${NSS_ENV[@]}" valgrind -q --error-exitcode=42 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --log-file="$WORK/vg.log" "$BUILD_ABS/pamdrive" -c "$WORK/pam.d" \
	    -s vg -u alice >"$WORK/vg.out" 2>&1 &
	LOGIN_PID=$!
	code="$(wait_code "$WORK/vg.out")" && approve "$code" alice approve
	login_wait
	cat "$WORK/vg.log" >>"$WORK/vg.out"
	expect "valgrind memcheck login: success, 0 errors, 0 definitely lost" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/vg.out"
}

# check_case NAME WANT_EXIT PATTERN CONF_FILE: pam-oidc check finds it.
check_case() {
	local rc=0 out="$WORK/check-$1.out"
	"$BUILD_ABS/pam-oidc" check --config "$4" \
	    --sshd-config "$WORK/sshd_config" >"$out" 2>&1 || rc=$?
	if [ "$rc" = "$2" ] && grep -qE -- "$3" "$out"; then
		ok "pam-oidc check: $1 (exit $rc)"
	else
		not_ok "pam-oidc check: $1" "want exit $2 and /$3/, got $rc" \
		    "$out"
	fi
}

# sshd_conf LINES...: $WORK/sshd_config as a site that uses pam_oidc has
# it, then the given lines (sshd takes the first value of a key).
sshd_conf() {
	{
		printf '%s\n' "$@"
		printf 'UsePAM yes\nKbdInteractiveAuthentication yes\n'
		printf 'PasswordAuthentication no\nLoginGraceTime 10m\n'
	} >"$WORK/sshd_config"
}

test_helper_check() {
	local made_run=""
	# sshd -T wants its privilege separation directory.
	if [ ! -d /run/sshd ] && mkdir -m 0755 /run/sshd 2>/dev/null; then
		made_run=1
	fi
	sshd_conf
	write_conf "$WORK/chk-good.conf" pam-basic
	check_case "a good configuration" 0 "^0 error\(s\), 0 warning\(s\)" \
	    "$WORK/chk-good.conf"
	check_case "sshd: UsePAM and keyboard-interactive reach pam_oidc" 0 \
	    "^ok +sshd: UsePAM and keyboard-interactive reach pam_oidc" \
	    "$WORK/chk-good.conf"
	write_conf "$WORK/chk-iss.conf" pam-public
	sed -i "s|^issuer = .*|issuer = $IDP_URL/|" "$WORK/chk-iss.conf"
	check_case "wrong issuer" 2 \
	    "^error .*does not name the issuer.*; fix: set issuer to exactly" \
	    "$WORK/chk-iss.conf"
	check_case "wrong issuer: the issuer the provider names is shown" 2 \
	    "\\(it names \"$IDP_URL\"\\)" "$WORK/chk-iss.conf"
	write_conf "$WORK/chk-perm.conf" pam-basic
	chmod 0644 "$WORK/chk-perm.conf"
	check_case "secret in an other-readable file" 2 \
	    "^error .*readable by others \(chmod 0600" "$WORK/chk-perm.conf"
	write_conf "$WORK/chk-group.conf" pam-public \
	    "role_map = admin = no-such-group-x"
	check_case "unknown group in role_map" 1 \
	    "^warning .*group no-such-group-x does not exist.*; fix: " \
	    "$WORK/chk-group.conf"
	write_conf "$WORK/chk-secret.conf" pam-basic-wrong
	check_case "wrong client secret" 2 \
	    "^error .*refused the client \(invalid_client\); fix: check client_id" \
	    "$WORK/chk-secret.conf"
	write_conf "$WORK/chk-down.conf" pam-public
	sed -i "s|^issuer = .*|issuer = https://127.0.0.1:$(free_port)|" \
	    "$WORK/chk-down.conf"
	check_case "unreachable provider" 2 "^error +discovery: .*unreachable" \
	    "$WORK/chk-down.conf"
	write_conf "$WORK/chk-scope.conf" pam-public
	sed -i "s|^scope = .*|scope = email profile roles|" "$WORK/chk-scope.conf"
	check_case "scope without openid" 2 \
	    "^error +scope \"email profile roles\" lacks openid.*; fix: add openid to scope" \
	    "$WORK/chk-scope.conf"
	write_conf "$WORK/chk-key.conf" pam-public "signing_algorithm = RS256"
	check_case "an unknown key suggests the nearest known one" 2 \
	    'unknown key "signing_algorithm"; did you mean signing_algorithms\?' \
	    "$WORK/chk-key.conf"
	cp "$ROOT/conf/examples/entra.conf" "$WORK/chk-entra.conf"
	chmod 0600 "$WORK/chk-entra.conf"
	check_case "placeholders left from the example: TENANT" 2 \
	    "^error +issuer holds the placeholder TENANT; fix: replace it" \
	    "$WORK/chk-entra.conf"
	check_case "placeholders left from the example: an all-zero GUID" 2 \
	    "^error +client_id holds the placeholder 0{8}-" \
	    "$WORK/chk-entra.conf"
	write_conf "$WORK/chk-path.conf" pam-public
	sed -i "s|^ca_file = .*|ca_file = /path/to/ca.pem|" "$WORK/chk-path.conf"
	check_case "placeholders left from the example: a path-to-fill-in" 2 \
	    "^error +ca_file holds the placeholder /path/to/" \
	    "$WORK/chk-path.conf"
	sshd_conf "KbdInteractiveAuthentication no"
	check_case "sshd: KbdInteractiveAuthentication no" 2 \
	    "^error +sshd: KbdInteractiveAuthentication no.*; fix: set KbdInteractiveAuthentication yes" \
	    "$WORK/chk-good.conf"
	sshd_conf "UsePAM no"
	check_case "sshd: UsePAM no" 2 "^error +sshd: UsePAM no.*; fix: set UsePAM yes" \
	    "$WORK/chk-good.conf"
	sshd_conf "AuthenticationMethods publickey,password publickey"
	check_case "sshd: AuthenticationMethods that never reach keyboard-interactive" 2 \
	    "^error +sshd: AuthenticationMethods publickey,password publickey never reaches" \
	    "$WORK/chk-good.conf"
	sshd_conf "AuthenticationMethods publickey,keyboard-interactive"
	check_case "sshd: publickey then keyboard-interactive is fine" 0 \
	    "^0 error" "$WORK/chk-good.conf"
	sshd_conf "PasswordAuthentication yes"
	check_case "sshd: PasswordAuthentication yes hides the code" 1 \
	    "^warning +sshd: PasswordAuthentication yes.*; fix: set PasswordAuthentication no" \
	    "$WORK/chk-good.conf"
	sshd_conf "LoginGraceTime 60"
	check_case "timeout above LoginGraceTime" 1 \
	    "^warning .*not below sshd's LoginGraceTime 60 s" \
	    "$WORK/chk-good.conf"
	test_check_stock_debian
	[ -n "$made_run" ] && rmdir /run/sshd 2>/dev/null
	return 0
}

# The machine's own sshd_config (stock Debian on a new machine) with the
# shipped sshd_config.d/pam_oidc.conf beside it: every sshd line ok.
test_check_stock_debian() {
	local d="$WORK/stock-ssh" out="$WORK/check-stock.out"
	if [ ! -f /etc/ssh/sshd_config ]; then
		echo "skip - stock sshd_config: no /etc/ssh/sshd_config"
		return
	fi
	mkdir -p "$d/sshd_config.d"
	sed "s|^Include /etc/ssh/sshd_config.d/|Include $d/sshd_config.d/|" \
	    /etc/ssh/sshd_config >"$d/sshd_config"
	cp "$ROOT/conf/sshd_config.d/pam_oidc.conf" "$d/sshd_config.d/"
	write_conf "$WORK/chk-stock.conf" pam-basic "timeout = 120"
	"$BUILD_ABS/pam-oidc" check --config "$WORK/chk-stock.conf" \
	    --sshd-config "$d/sshd_config" >"$out" 2>&1
	if grep -qE '^ok +sshd: UsePAM and keyboard-interactive reach pam_oidc' "$out" &&
	    ! grep -E '^(error|warning)' "$out" | grep -q sshd; then
		ok "pam-oidc check: the machine's sshd_config with the shipped snippet: every sshd line ok"
	else
		not_ok "pam-oidc check on the stock sshd_config" "an sshd finding" \
		    "$out"
	fi
}

test_helper_cache() {
	local out="$WORK/cache-show.out"
	"$BUILD_ABS/pam-oidc" cache show --config "$WORK/approve.conf" \
	    >"$out" 2>&1
	grep -q "^discovery-[0-9a-f]*  $IDP_URL/.well-known/openid-configuration  fresh for" \
	    "$out" && grep -q "^jwks-[0-9a-f]*  $IDP_URL/jwks  fresh" "$out" &&
	    ok "pam-oidc cache show lists discovery and JWKS entries" ||
	    not_ok "pam-oidc cache show" "entries missing" "$out"
	"$BUILD_ABS/pam-oidc" cache clear --config "$WORK/approve.conf" \
	    >"$out" 2>&1
	expect "pam-oidc cache clear empties the cache" "" \
	    "$(ls "$WORK/cache")" "$out"
}

# mode_of PATH: the octal mode, or "missing".
mode_of() { stat -c %a "$1" 2>/dev/null || echo missing; }

test_install_uninstall() {
	local d="$WORK/dest" pamdir got want f
	pamdir="$(make -s -C "$ROOT" -f Makefile --no-print-directory \
	    print-pamdir 2>/dev/null)"
	make -s -C "$ROOT" BUILD="$BUILD_ABS" DESTDIR="$d" install \
	    >"$WORK/install.out" 2>&1
	want="$pamdir/pam_oidc.so:644 /usr/sbin/pam-oidc:755
/usr/share/man/man8/pam_oidc.8:644 /usr/share/man/man5/pam_oidc.conf.5:644
/usr/share/man/man8/pam-oidc.8:644 /etc/pam_oidc.conf:600
/usr/share/pam-configs/oidc:644 /usr/share/pam-configs/oidc-only:644
/usr/share/doc/pam_oidc/README.md:644
/usr/share/doc/pam_oidc/examples/google.conf:644
/usr/share/doc/pam_oidc/pam.d/README.md:644
/usr/share/doc/pam_oidc/pam.d/sshd.snippet:644
/usr/share/doc/pam_oidc/pam.d/sudo.snippet:644
/usr/share/doc/pam_oidc/pam.d/login.snippet:644
/usr/share/doc/pam_oidc/sshd_config.d/pam_oidc.conf:644
/usr/share/locale/de/LC_MESSAGES/pam_oidc.mo:644
/usr/share/locale/ja/LC_MESSAGES/pam_oidc.mo:644"
	got=""
	for f in $want; do
		got="$got ${f%%:*}:$(mode_of "$d${f%%:*}")"
	done
	expect "make install puts each file in place with its mode" \
	    "$(echo $want)" "$(echo $got)" "$WORK/install.out"
	echo "# administrator's edit" >>"$d/etc/pam_oidc.conf"
	make -s -C "$ROOT" BUILD="$BUILD_ABS" DESTDIR="$d" install \
	    >>"$WORK/install.out" 2>&1
	grep -q "administrator's edit" "$d/etc/pam_oidc.conf" &&
	    ok "make install never overwrites an existing pam_oidc.conf" ||
	    not_ok "install kept the config" "overwritten"
	make -s -C "$ROOT" BUILD="$BUILD_ABS" DESTDIR="$d" uninstall \
	    >>"$WORK/install.out" 2>&1
	got="$(cd "$d" && find . -type f | sort | tr '\n' ' ')"
	expect "make uninstall leaves only the administrator's config" \
	    "./etc/pam_oidc.conf " "$got" "$WORK/install.out"
}

test_deny() {
	local rc
	rc="$(login deny pam-public alice alice deny)"
	expect "denied login returns PAM_AUTH_ERR" $PAM_AUTH_ERR "$rc" \
	    "$WORK/deny.out"
	grep -q "The sign-in was denied" "$WORK/deny.out" &&
	    ok "the person is told the sign-in was denied" ||
	    not_ok "denial message" "missing" "$WORK/deny.out"
}

test_identity_mismatch() {
	local rc
	rc="$(login mismatch pam-public bob alice approve)"
	expect "alice approving bob's login returns PAM_AUTH_ERR" \
	    $PAM_AUTH_ERR "$rc" "$WORK/mismatch.out"
	grep -q '^SYSLOG .*identity alice (sub a1f2c3d4-0001) is not the account bob' \
	    "$WORK/mismatch.out" && ok "the mismatch is logged naming both" ||
	    not_ok "mismatch log line" "missing" "$WORK/mismatch.out"
	grep -q '^RESULT acct=Ignore' "$WORK/mismatch.out" ||
	    grep -q '^RESULT acct=' "$WORK/mismatch.out" &&
	    ! grep -q '^RESULT acct=Success' "$WORK/mismatch.out" &&
	    ok "acct_mgmt does not pass a refused user" ||
	    not_ok "acct_mgmt after mismatch" "Success" "$WORK/mismatch.out"
}

test_wait_enter() {
	local rc code polls
	write_conf "$WORK/enter.conf" pam-public "wait = enter"
	write_service "$WORK/pam.d" enter "$WORK/enter.conf"
	idp_reset "$IDP_DIR" "$IDP_PORT"
	login_start "$WORK/enter.out" enter alice -e "$WORK/enter.go"
	code="$(wait_code "$WORK/enter.out")"
	approve "$code" alice approve
	sleep 2
	polls="$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']")"
	expect "wait=enter: no poll before Enter" 0 "$polls"
	touch "$WORK/enter.go"
	login_wait; rc=$LOGIN_RC
	expect "wait=enter: approved then Enter gives PAM_SUCCESS" \
	    $PAM_SUCCESS "$rc" "$WORK/enter.out"
	expect "wait=enter: one poll, right after Enter" 1 \
	    "$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']")"
	grep -q '^MSG 1$' "$WORK/enter.out" &&
	    grep -q 'Press Enter after you have approved' "$WORK/enter.out" &&
	    ok "wait=enter puts the code in one echo-off prompt" ||
	    not_ok "wait=enter prompt" "no echo-off prompt" "$WORK/enter.out"
}

test_wait_auto_is_enter_for_sshd() {
	local code rc
	write_conf "$WORK/sshd.conf" pam-public
	write_service "$WORK/pam.d" sshd "$WORK/sshd.conf"
	login_start "$WORK/sshd.out" sshd alice -e "$WORK/sshd.go"
	code="$(wait_code "$WORK/sshd.out")"
	approve "$code" alice approve
	touch "$WORK/sshd.go"
	login_wait; rc=$LOGIN_RC
	expect "wait=auto for service sshd: success after Enter" \
	    $PAM_SUCCESS "$rc" "$WORK/sshd.out"
	grep -q '^MSG 1$' "$WORK/sshd.out" &&
	    ok "wait=auto for sshd prompts (echo off)" ||
	    not_ok "wait=auto for sshd" "no prompt" "$WORK/sshd.out"
}

test_conversation_failure() {
	local rc
	write_conf "$WORK/convfail.conf" pam-public "wait = enter"
	write_service "$WORK/pam.d" convfail "$WORK/convfail.conf"
	login_start "$WORK/convfail.out" convfail alice -f
	login_wait; rc=$LOGIN_RC
	expect "failing conversation gives PAM_CONV_ERR" $PAM_CONV_ERR "$rc" \
	    "$WORK/convfail.out"
}

test_expiry() {
	local rc t0
	idp_start "$WORK/idp-short" IDP_INTERVAL=1 IDP_DEVICE_TTL=3
	write_conf "$WORK/expiry.conf" pam-public "wait = poll"
	write_service "$WORK/pam.d" expiry "$WORK/expiry.conf"
	login_start "$WORK/expiry.out" expiry alice
	login_wait; rc=$LOGIN_RC
	expect "a code nobody approves expires: PAM_AUTH_ERR" $PAM_AUTH_ERR \
	    "$rc" "$WORK/expiry.out"
	grep -q "The code expired" "$WORK/expiry.out" &&
	    ok "the person is told the code expired" ||
	    not_ok "expiry message" "missing" "$WORK/expiry.out"
	idp_stop "$WORK/idp-short"
	use_main
}

test_provider_down() {
	local rc port t0 t1
	port="$(free_port)"
	write_conf "$WORK/down.conf" pam-public "http_timeout = 2"
	sed -i "s|^issuer = .*|issuer = https://127.0.0.1:$port|" \
	    "$WORK/down.conf"
	write_service "$WORK/pam.d" down "$WORK/down.conf"
	rm -rf "$WORK/cache"/*
	login_start "$WORK/down.out" down alice
	login_wait; rc=$LOGIN_RC
	expect "provider down (connection refused): PAM_AUTHINFO_UNAVAIL" \
	    $PAM_AUTHINFO_UNAVAIL "$rc" "$WORK/down.out"
	grep -q '^SYSLOG .*openid-configuration: .*' "$WORK/down.out" &&
	    ok "an unreachable provider is logged with the URL and reason" ||
	    not_ok "unreachable log line" "missing" "$WORK/down.out"
	# A peer that accepts TCP and never answers: bounded by http_timeout.
	"$PY" -I -S "$ITEST/hang_server.py" "$port" 60 &
	HANG_PID=$!
	sleep 0.3
	t0=$(date +%s%N)
	login_start "$WORK/hang.out" down alice
	login_wait; rc=$LOGIN_RC
	t1=$(date +%s%N)
	kill "$HANG_PID" 2>/dev/null
	HANG_PID=
	expect "silent provider: PAM_AUTHINFO_UNAVAIL" $PAM_AUTHINFO_UNAVAIL \
	    "$rc" "$WORK/hang.out"
	echo "    silent provider gave up after $(( (t1 - t0) / 1000000 )) ms" \
	    "(http_timeout 2 s)"
	# A bound that only catches a hang, not a slow machine.
	[ $(( (t1 - t0) / 1000000 )) -lt 12000 ] &&
	    ok "silent provider does not hang the login" ||
	    not_ok "silent provider" "took over 12 s"
}

test_unknown_ca() {
	local rc
	write_conf "$WORK/ca.conf" pam-public
	sed -i "s|^ca_file = .*|ca_file = $IDP_DIR/other-ca.pem|" \
	    "$WORK/ca.conf"
	write_service "$WORK/pam.d" ca "$WORK/ca.conf"
	rm -rf "$WORK/cache"/*
	login_start "$WORK/ca.out" ca alice
	login_wait; rc=$LOGIN_RC
	expect "certificate from an unknown CA: PAM_AUTHINFO_UNAVAIL" \
	    $PAM_AUTHINFO_UNAVAIL "$rc" "$WORK/ca.out"
}

# With no ca_file the module trusts the system store, read as the hashed
# directory /etc/ssl/certs. The test CA is not in the machine's store, so
# the login fails. In a private mount namespace where /etc/ssl/certs holds
# only the test CA under its hash name, and no bundle file, it succeeds.
test_system_store() {
	local rc code dir="$WORK/sysstore"
	write_conf "$WORK/sys.conf" pam-public
	sed -i '/^ca_file = /d' "$WORK/sys.conf"
	write_service "$WORK/pam.d" sys "$WORK/sys.conf"
	rm -rf "$WORK/cache"/*
	login_start "$WORK/sys1.out" sys alice
	login_wait; rc=$LOGIN_RC
	expect "no ca_file, a CA outside the system store: PAM_AUTHINFO_UNAVAIL" \
	    $PAM_AUTHINFO_UNAVAIL "$rc" "$WORK/sys1.out"
	if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
		echo "# skip: the system store test needs root and unshare -m"
		return
	fi
	rehash_dir "$dir" "$IDP_DIR/ca.pem"
	rm -rf "$WORK/cache"/*
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount --make-rprivate / &&
	    mount --bind "$1" /etc/ssl/certs && shift && exec "$@"' sh "$dir" \
	    env "${NSS_ENV[@]}" "$BUILD_ABS/pamdrive" -c "$WORK/pam.d" -s sys \
	    -u alice >"$WORK/sys2.out" 2>&1 &
	LOGIN_PID=$!
	if code="$(wait_code "$WORK/sys2.out")"; then
		approve "$code" alice
	fi
	login_wait; rc=$LOGIN_RC
	expect "no ca_file, the CA hashed in /etc/ssl/certs: PAM_SUCCESS" \
	    $PAM_SUCCESS "$rc" "$WORK/sys2.out"
}

test_bad_config() {
	local rc
	write_conf "$WORK/badkey.conf" pam-public "no_such_key = 1"
	write_service "$WORK/pam.d" badkey "$WORK/badkey.conf"
	login_start "$WORK/badkey.out" badkey alice
	login_wait; rc=$LOGIN_RC
	expect "unknown config key: PAM_SERVICE_ERR" $PAM_SERVICE_ERR "$rc" \
	    "$WORK/badkey.out"
	write_conf "$WORK/writable.conf" pam-public
	chmod 0666 "$WORK/writable.conf"
	write_service "$WORK/pam.d" writable "$WORK/writable.conf"
	login_start "$WORK/writable.out" writable alice
	login_wait; rc=$LOGIN_RC
	expect "world-writable config: PAM_SERVICE_ERR" $PAM_SERVICE_ERR \
	    "$rc" "$WORK/writable.out"
	ln -sf "$WORK/approve.conf" "$WORK/link.conf"
	write_service "$WORK/pam.d" link "$WORK/link.conf"
	login_start "$WORK/link.out" link alice
	login_wait; rc=$LOGIN_RC
	expect "config behind a symlink: PAM_SERVICE_ERR" $PAM_SERVICE_ERR \
	    "$rc" "$WORK/link.out"
}

# An unknown user is not told apart from a known one: the same prompt,
# the same refusal at the end. The provider is asked, as for anyone.
test_unknown_user() {
	local rc code
	write_conf "$WORK/nouser.conf" pam-public "wait = poll"
	write_service "$WORK/pam.d" nouser "$WORK/nouser.conf"
	idp_reset "$IDP_DIR" "$IDP_PORT"
	login_start "$WORK/nouser.out" nouser mallory
	code="$(wait_code "$WORK/nouser.out")" && approve "$code" alice
	login_wait; rc=$LOGIN_RC
	expect "unknown local user approved by someone else: PAM_AUTH_ERR, as a mismatch" \
	    $PAM_AUTH_ERR "$rc" "$WORK/nouser.out"
	login_start "$WORK/known.out" nouser bob
	code="$(wait_code "$WORK/known.out")" && approve "$code" alice
	login_wait
	if [ "$(grep -c '^MSG' "$WORK/nouser.out")" = "$(grep -c '^MSG' "$WORK/known.out")" ] &&
	    diff <(grep -v '^SYSLOG\|^USER\|^TIMING\|Code:\|Link:\|Open:\|Sign-in for\|^[ ▀▄█]*$' "$WORK/nouser.out") \
	    <(grep -v '^SYSLOG\|^USER\|^TIMING\|Code:\|Link:\|Open:\|Sign-in for\|^[ ▀▄█]*$' "$WORK/known.out") \
	    >"$WORK/nouser.diff"; then
		ok "unknown and known user: the same prompts and the same refusal"
	else
		not_ok "unknown and known user look alike" "they differ" \
		    "$WORK/nouser.diff"
	fi
	expect "unknown local user: the provider is asked, as for a known one" \
	    2 "$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['module_requests'].get('/device/auth', 0)")"
}

# The return codes of the module's entry points when the provider answers
# (tests/retval/test_retval.c, whose cases without a provider run in make
# unit): one line per cmocka case.
test_return_codes_with_provider() {
	local out="$WORK/retval.out" rc=0 name seen=0
	autoapprove alice
	RETVAL_ISSUER="$IDP_URL" RETVAL_CA="$IDP_DIR/ca.pem" \
	    "$BUILD_ABS/unit/test_retval" >"$out" 2>&1 || rc=$?
	autoapprove ""
	while read -r name; do
		seen=$((seen + 1))
		ok "return codes with the provider: $name"
	done < <(sed -n 's/^\[       OK \] \(test_[a-z_]*\)$/\1/p' "$out")
	while read -r name; do
		seen=$((seen + 1))
		not_ok "return codes with the provider: $name" "failed" "$out"
	done < <(sed -n 's/^\[  FAILED  \] \(test_[a-z_]*\)$/\1/p' "$out" |
	    sort -u)
	if [ "$seen" = 0 ] || { [ "$rc" != 0 ] &&
	    ! grep -q '^\[  FAILED  \] test_' "$out"; }; then
		not_ok "return codes with the provider" "exit $rc" "$out"
	fi
}

test_exported_symbols
test_approve_poll_mode
test_warm_cache_no_discovery_or_jwks
test_client_auth_methods
test_logs_reasons_and_no_secrets
test_slow_down_honoured
test_helper_login
test_valgrind_login
test_helper_check
test_helper_cache
test_install_uninstall
test_pam_auth_update_profile
test_pam_auth_update_profile_only
test_pam_d_snippets
test_sshd_config_snippet
test_examples_pass_offline_check
test_deny
test_identity_mismatch
test_wait_enter
test_wait_auto_is_enter_for_sshd
test_conversation_failure
test_expiry
test_provider_down
test_unknown_ca
test_system_store
test_bad_config
test_unknown_user
test_return_codes_with_provider
test_oauth2_only_provider_github_style
test_google_verification_url
test_require_claims_google_style
test_userinfo_sub_must_match
test_roles_to_groups_and_allowed_roles
test_missing_device_endpoint
test_kiosk_sets_pam_user
test_nss
test_network_faults
test_stale_jwks_never_trusted_when_unreachable
test_key_rotation
test_terminal_injection_device_answer
# (leaves the provider approving every code as alice, as the one above)
test_refused_documents_not_cached
test_terminal_injection_after_device_answer
test_helper_claims_output_is_safe
test_identity_attacks
test_role_injection
test_sub_pinning
test_environment_does_not_steer
test_conversation_and_interruption
test_no_secrets_in_logs_or_children
test_identity_pinning
test_system_accounts
test_email_usernames
test_files_that_decide
test_device_rate_limit
test_multi_factor
test_tolerated_device_answers
test_handle_rules
test_proxy_login_through_tinyproxy
test_proxy_credentials
test_proxy_forbidden_port
test_proxy_refusing
test_proxy_stalling
test_proxy_no_proxy
test_proxy_environment_ignored
px_cleanup
test_person_screen

echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
