# Integration tests of provider behaviour: GitHub's and Google's quirks,
# claim requirements, userinfo, stale caches and key rotation. Sourced by
# run.sh, whose helpers and provider they use; the proxy sits in front of
# the provider and reproduces each quirk.
# shellcheck shell=bash

# conf_via_proxy FILE CLIENT [lines...]: a config whose issuer is the proxy.
conf_via_proxy() {
	local f="$1"
	shift
	write_conf "$f" "$@"
	sed -i "s|^issuer = .*|issuer = $PROXY_URL|" "$f"
}

# login_via NAME USER APPROVER MODE CONF: a login with a config file
# already written; prints the PAM code.
login_via() {
	local code
	write_service "$WORK/pam.d" "$1" "$5"
	login_start "$WORK/$1.out" "$1" "$2"
	if code="$(wait_code "$WORK/$1.out")"; then
		approve "$code" "$3" "$4" ||
		    echo "approve.sh failed" >>"$WORK/$1.out"
	fi
	login_wait
	echo "$LOGIN_RC"
}

# has NAME PATTERN TEXT: ok when the output of login NAME matches.
has() {
	grep -qE -- "$2" "$WORK/$1.out" && ok "$3" ||
	    not_ok "$3" "no /$2/" "$WORK/$1.out"
}

test_oauth2_only_provider_github_style() {
	local rc f="$WORK/gh.conf"
	# No issuer, no jwks_uri: the identity comes from userinfo.
	{
		echo "device_authorization_endpoint = $PROXY_URL/device/auth"
		echo "token_endpoint = $PROXY_URL/token"
		echo "userinfo_endpoint = $PROXY_URL/me"
		echo "client_id = pam-public"
		echo "scope = openid email profile roles"
		echo "ca_file = $IDP_DIR/ca.pem"
		echo "cache_dir = $WORK/cache"
		echo "state_dir = $WORK/state/gh"
		echo "device_rate_limit = 0"
		echo "debug = yes"
	} >"$f"
	chmod 0600 "$f"
	proxy_mode '{"mode": "form+errors_200"}'
	curl -sS --cacert "$PROXY_CA" -X POST "$PROXY_URL/__log/reset" >/dev/null
	rc="$(login_via gh alice alice approve "$f")"
	expect "OAuth2-only provider, form-encoded answers, errors at HTTP 200: success" \
	    $PAM_SUCCESS "$rc" "$WORK/gh.out"
	expect "the identity came from the userinfo endpoint" 1 \
	    "$(proxy_log "sum(1 for r in l['requests'] if r['path'] == '/me' and r['ua'].startswith('pam_oidc/'))")"
	proxy_mode '{"mode": "github_slow_down", "interval": 3}'
	rc="$(login_via ghslow alice alice approve "$f")"
	expect "GitHub-style slow_down at HTTP 200: success" $PAM_SUCCESS "$rc" \
	    "$WORK/ghslow.out"
	has ghslow '^SYSLOG 7 .*slow_down: interval now 3 s' \
	    "slow_down at HTTP 200 takes the interval it carries"
	for e in device_flow_disabled incorrect_client_credentials \
	    unsupported_grant_type; do
		proxy_mode "{\"mode\": \"client_error\", \"error\": \"$e\"}"
		rc="$(login_via "gh-$e" alice alice approve "$f")"
		expect "GitHub $e: PAM_AUTHINFO_UNAVAIL" $PAM_AUTHINFO_UNAVAIL \
		    "$rc" "$WORK/gh-$e.out"
		has "gh-$e" "^SYSLOG .*refused the client \\($e\\): (enable|check|the token endpoint)" \
		    "GitHub $e: the log says what to fix"
		has "gh-$e" "^The identity provider is not available" \
		    "GitHub $e: the person sees a plain message"
	done
	proxy_mode '{"mode": "client_error", "error": "incorrect_device_code", "paths": ["/token"]}'
	rc="$(login_via gh-idc alice alice approve "$f")"
	expect "GitHub incorrect_device_code: PAM_AUTH_ERR" $PAM_AUTH_ERR \
	    "$rc" "$WORK/gh-idc.out"
	proxy_mode '{"mode": "pass"}'
}

test_google_verification_url() {
	local rc
	conf_via_proxy "$WORK/gdev.conf" pam-public
	proxy_mode '{"mode": "google_device"}'
	rc="$(login_via gdev alice alice approve "$WORK/gdev.conf")"
	proxy_mode '{"mode": "pass"}'
	expect "Google's verification_url: success" $PAM_SUCCESS "$rc" \
	    "$WORK/gdev.out"
	has gdev "^Open:  $PROXY_URL/device$" \
	    "verification_url is shown as the address"
}

test_require_claims_google_style() {
	local rc
	write_conf "$WORK/hd.conf" pam-public "require_claim = hd = example.com" \
	    "require_claim = email_verified = true"
	rc="$(login_via hd-gina gina gina approve "$WORK/hd.conf")"
	expect "hd = example.com and email_verified \"true\" (a string): success" \
	    $PAM_SUCCESS "$rc" "$WORK/hd-gina.out"
	rc="$(login_via hd-hank hank hank approve "$WORK/hd.conf")"
	expect "hd of another domain: PAM_AUTH_ERR" $PAM_AUTH_ERR "$rc" \
	    "$WORK/hd-hank.out"
	has hd-hank '^SYSLOG .*require_claim hd = example.com does not hold' \
	    "the unmet requirement is logged"
}

test_userinfo_sub_must_match() {
	local rc
	write_conf "$WORK/ui.conf" pam-public "userinfo = always"
	rc="$(login_via ui-ok alice alice approve "$WORK/ui.conf")"
	expect "userinfo = always with the same sub: success" $PAM_SUCCESS \
	    "$rc" "$WORK/ui-ok.out"
	curl -sS --cacert "$IDP_DIR/ca.pem" -X POST \
	    "$IDP_URL/__userinfo_sub?value=someone-else" >/dev/null
	rc="$(login_via ui-bad alice alice approve "$WORK/ui.conf")"
	curl -sS --cacert "$IDP_DIR/ca.pem" -X POST \
	    "$IDP_URL/__userinfo_sub" >/dev/null
	expect "userinfo sub differing from the ID token's: PAM_AUTH_ERR" \
	    $PAM_AUTH_ERR "$rc" "$WORK/ui-bad.out"
	has ui-bad '^SYSLOG .*userinfo sub differs' "the sub mismatch is logged"
}

test_stale_jwks_never_trusted_when_unreachable() {
	local rc f
	conf_via_proxy "$WORK/stale.conf" pam-public
	rm -f "$WORK/cache"/*
	rc="$(login_via stale1 alice alice approve "$WORK/stale.conf")"
	expect "through the proxy: first login fills the cache" $PAM_SUCCESS \
	    "$rc" "$WORK/stale1.out"
	# Age every JWKS entry past its lifetime.
	for f in "$WORK/cache"/jwks-*; do
		sed -i '2s/.*/1/' "$f"
	done
	proxy_mode '{"mode": "status", "code": 500, "paths": ["/jwks"]}'
	rc="$(login_via stale2 alice alice approve "$WORK/stale.conf")"
	proxy_mode '{"mode": "pass"}'
	expect "stale JWKS and the JWKS endpoint failing: PAM_AUTHINFO_UNAVAIL" \
	    $PAM_AUTHINFO_UNAVAIL "$rc" "$WORK/stale2.out"
	rc="$(login_via stale3 alice alice approve "$WORK/stale.conf")"
	expect "JWKS endpoint back: the stale entry is refreshed, success" \
	    $PAM_SUCCESS "$rc" "$WORK/stale3.out"
}

# Last: the provider keeps the rotated key for the rest of the run.
test_key_rotation() {
	local rc
	write_conf "$WORK/rot.conf" pam-public
	rc="$(login_via rot1 alice alice approve "$WORK/rot.conf")"
	expect "before rotation: success" $PAM_SUCCESS "$rc" "$WORK/rot1.out"
	curl -sS --cacert "$IDP_DIR/ca.pem" -X POST "$IDP_URL/__rotate" \
	    >/dev/null
	idp_reset "$IDP_DIR" "$IDP_PORT"
	rc="$(login_via rot2 alice alice approve "$WORK/rot.conf")"
	expect "after the provider rotated its key: success" $PAM_SUCCESS \
	    "$rc" "$WORK/rot2.out"
	expect "rotation cost exactly one extra JWKS request" 1 \
	    "$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['module_requests'].get('/jwks', 0)")"
}

# login_cred NAME USER CONF: a login that also runs pam_setcred and prints
# the groups; prints the PAM code of pam_authenticate.
login_cred() {
	local code
	write_service "$WORK/pam.d" "$1" "$3"
	login_start "$WORK/$1.out" "$1" "$2" -C
	if code="$(wait_code "$WORK/$1.out")"; then
		approve "$code" "$2" approve
	fi
	login_wait
	echo "$LOGIN_RC"
}

test_roles_to_groups_and_allowed_roles() {
	local rc code f="$WORK/roles.conf"
	write_conf "$f" pam-public "role_claim = roles" \
	    "role_map = admin = sudo" "role_map = user = users no-such-grp" \
	    "allowed_roles = admin user"
	rc="$(login_cred roles-alice alice "$f")"
	expect "roles: alice signs in" $PAM_SUCCESS "$rc" "$WORK/roles-alice.out"
	if [ "$(id -u)" -eq 0 ]; then
		has roles-alice '^GROUPS( .*)? sudo( |$)' \
		    "setcred adds admin -> sudo to alice's groups"
		has roles-alice '^RESULT setcred=Success' "setcred succeeds"
	else
		echo "skip - setcred groups: setgroups needs root"
	fi
	rc="$(login_cred roles-bob bob "$f")"
	expect "roles: bob signs in" $PAM_SUCCESS "$rc" "$WORK/roles-bob.out"
	if [ "$(id -u)" -eq 0 ]; then
		has roles-bob '^GROUPS( .*)? users( |$)' \
		    "setcred adds user -> users to bob's groups"
		grep -qE '^GROUPS( .*)? sudo( |$)' "$WORK/roles-bob.out" &&
		    not_ok "bob gets no sudo" "he did" "$WORK/roles-bob.out" ||
		    ok "bob, without the admin role, gets no sudo"
		has roles-bob '^SYSLOG 4 .*group no-such-grp from role_map does not exist locally; skipped' \
		    "a role_map group missing locally is skipped with a warning"
	fi
	rc="$(login_cred roles-dave dave "$f")"
	expect "roles: dave, outside allowed_roles, is refused by authentication" \
	    $PAM_AUTH_ERR "$rc" "$WORK/roles-dave.out"
	grep -q '^RESULT acct=Success' "$WORK/roles-dave.out" &&
	    not_ok "dave: acct_mgmt" "passed" "$WORK/roles-dave.out" ||
	    ok "dave: the account check does not pass him either"
	has roles-dave '^Your role at the identity provider does not allow' \
	    "dave is told why"
	# A stack with the auth line and no account line still turns him
	# away: the gate is in authentication too.
	write_conf "$WORK/roles-noacct.conf" pam-public "role_claim = roles" \
	    "allowed_roles = admin user"
	echo "auth required $BUILD_ABS/pam_oidc.so config=$WORK/roles-noacct.conf" \
	    >"$WORK/pam.d/roles-noacct"
	login_start "$WORK/roles-noacct.out" roles-noacct dave
	code="$(wait_code "$WORK/roles-noacct.out")" && approve "$code" dave
	login_wait
	expect "allowed_roles holds in a stack without an account line" \
	    $PAM_AUTH_ERR "$LOGIN_RC" "$WORK/roles-noacct.out"
	write_conf "$WORK/badgrp.conf" pam-public "role_map = admin = bad:name"
	rc="$(login_cred badgrp alice "$WORK/badgrp.conf")"
	expect "role_map with an invalid group name: PAM_SERVICE_ERR" \
	    $PAM_SERVICE_ERR "$rc" "$WORK/badgrp.out"
	"$BUILD_ABS/pam-oidc" login --config "$f" --user alice \
	    >"$WORK/roles-helper.out" 2>&1 &
	LOGIN_PID=$!
	code="$(wait_code "$WORK/roles-helper.out")" && approve "$code" alice approve
	login_wait
	grep -q '^groups it would grant: sudo$' "$WORK/roles-helper.out" &&
	    grep -q '^allowed_roles: met$' "$WORK/roles-helper.out" &&
	    ok "pam-oidc login shows the groups it would grant and allowed_roles" ||
	    not_ok "pam-oidc login roles" "missing" "$WORK/roles-helper.out"
}

test_missing_device_endpoint() {
	local rc out="$WORK/check-nodev.out"
	conf_via_proxy "$WORK/nodev.conf" pam-public
	rm -f "$WORK/cache"/*
	proxy_mode '{"mode": "drop_field", "field": "device_authorization_endpoint", "paths": ["/.well-known/openid-configuration"]}'
	rc=0
	"$BUILD_ABS/pam-oidc" check --config "$WORK/nodev.conf" \
	    --sshd-config /nonexistent >"$out" 2>&1 || rc=$?
	grep -qE '^error +the provider advertises no device_authorization_endpoint; fix: enable the device authorization grant' \
	    "$out" && [ "$rc" = 2 ] &&
	    ok "pam-oidc check: missing device endpoint (exit 2, names the fix)" ||
	    not_ok "pam-oidc check: missing device endpoint" "exit $rc" "$out"
	rc="$(login_via nodev alice alice approve "$WORK/nodev.conf")"
	proxy_mode '{"mode": "pass"}'
	rm -f "$WORK/cache"/*
	expect "no device endpoint at the provider: PAM_AUTHINFO_UNAVAIL" \
	    $PAM_AUTHINFO_UNAVAIL "$rc" "$WORK/nodev.out"
	has nodev '^SYSLOG .*no device authorization or token endpoint; enable the device grant' \
	    "the missing endpoint is logged with the fix"
}

test_kiosk_sets_pam_user() {
	local code
	write_conf "$WORK/kiosk.conf" pam-public "kiosk = yes" "wait = poll"
	write_service "$WORK/pam.d" kiosk "$WORK/kiosk.conf"
	login_start "$WORK/kiosk.out" kiosk ""
	code="$(wait_code "$WORK/kiosk.out")" && approve "$code" carol approve
	login_wait
	expect "kiosk: no PAM_USER, carol approves: PAM_SUCCESS" $PAM_SUCCESS \
	    "$LOGIN_RC" "$WORK/kiosk.out"
	has kiosk '^USER carol$' "kiosk: PAM_USER is set from the username claim"
	has kiosk '^Sign-in to kiosk on .*, as the account you approve with\.$' \
	    "kiosk: the context line says the account is chosen at sign-in"
	# The same with a passwd file that lacks gina.
	local saved=("${NSS_ENV[@]}")
	grep -v '^gina:' "$WORK/passwd" >"$WORK/passwd-nogina"
	NSS_ENV=("${NSS_ENV[@]/NSS_WRAPPER_PASSWD=*/NSS_WRAPPER_PASSWD=$WORK/passwd-nogina}")
	login_start "$WORK/kiosk2.out" kiosk ""
	NSS_ENV=("${saved[@]}")
	code="$(wait_code "$WORK/kiosk2.out")" && approve "$code" gina approve
	login_wait
	expect "kiosk: an identity without a local account: PAM_USER_UNKNOWN" \
	    $PAM_USER_UNKNOWN "$LOGIN_RC" "$WORK/kiosk2.out"
}

# fault NAME MODE_JSON: a login whose device authorization request meets
# the fault; it must end with PAM_AUTHINFO_UNAVAIL and a logged reason,
# without hanging, and nothing may reach a redirect target.
fault() {
	local name="$1" t0 t1 ms
	proxy_mode "$2"
	curl -sS --cacert "$PROXY_CA" -X POST "$PROXY_URL/__log/reset" >/dev/null
	write_service "$WORK/pam.d" "f-$name" "$WORK/fault.conf"
	t0=$(date +%s%N)
	login_start "$WORK/f-$name.out" "f-$name" alice
	login_wait
	t1=$(date +%s%N)
	proxy_mode '{"mode": "pass"}'
	ms=$(((t1 - t0) / 1000000))
	if [ "$LOGIN_RC" = $PAM_AUTHINFO_UNAVAIL ] &&
	    grep -qE '^SYSLOG [0-7] pam_oidc\(f-[a-z0-9_]+:auth\): https://[^ ]+/device/auth: ' \
	    "$WORK/f-$name.out" && [ "$ms" -lt 12000 ]; then
		ok "fault $name: PAM_AUTHINFO_UNAVAIL with a logged reason ($ms ms, http_timeout 2 s)"
	else
		not_ok "fault $name" "code $LOGIN_RC after $ms ms" "$WORK/f-$name.out"
	fi
}

test_network_faults() {
	local d='"paths": ["/device/auth"]' m
	conf_via_proxy "$WORK/fault.conf" pam-public "http_timeout = 2"
	rm -f "$WORK/cache"/*
	# Warm the discovery cache so each fault meets the device request.
	rc="$(login_via f-warm alice alice approve "$WORK/fault.conf")"
	for m in refuse reset_mid_body stall non_json truncate huge \
	    chunked_endless gzip_bomb; do
		fault "$m" "{\"mode\": \"$m\", $d}"
	done
	fault status500 "{\"mode\": \"status\", \"code\": 500, $d}"
	fault status429 "{\"mode\": \"status\", \"code\": 429, $d}"
	for m in 301 307 308; do
		fault "redirect$m" "{\"mode\": \"redirect\", \"code\": $m, $d}"
	done
	fault redirect_http "{\"mode\": \"redirect\", \"code\": 307, \"location\": \"http://127.0.0.1:9/device/auth\", $d}"
	expect "no request ever reached a redirect target" 0 \
	    "$(proxy_log "len(l['trap_hits'])")"
	# A certificate from the right CA for another host name.
	local wrong
	wrong="$(sed -n 's/.*wrong_cert=\([0-9]*\).*/\1/p' "$IDP_DIR/proxy.ports")"
	conf_via_proxy "$WORK/wrongcert.conf" pam-public
	sed -i "s|^issuer = .*|issuer = https://127.0.0.1:$wrong|" \
	    "$WORK/wrongcert.conf"
	rm -f "$WORK/cache"/*
	write_service "$WORK/pam.d" wrongcert "$WORK/wrongcert.conf"
	login_start "$WORK/wrongcert.out" wrongcert alice
	login_wait
	expect "certificate for another host name: PAM_AUTHINFO_UNAVAIL" \
	    $PAM_AUTHINFO_UNAVAIL "$LOGIN_RC" "$WORK/wrongcert.out"
	has wrongcert '^SYSLOG 3 .*openid-configuration: .*(certificate|SSL)' \
	    "the certificate mismatch is logged"
}
