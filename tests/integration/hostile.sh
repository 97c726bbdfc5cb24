# Integration tests of hostile input: terminal injection through the
# provider's answers, identity attacks through the ID token's claims, the
# invoking user's environment, interrupted logins and secrets. Sourced by
# run.sh, whose helpers, provider and proxy they use; the proxy plays the
# hostile provider (set_fields and claims modes, see tests/proxy/README.md).
# shellcheck shell=bash

# autoapprove ACCOUNT [DELAY_MS]: the provider approves every new device
# authorization as ACCOUNT after DELAY_MS; autoapprove "" turns it off.
autoapprove() {
	curl -sS --fail --cacert "$IDP_DIR/ca.pem" -X POST \
	    "$IDP_URL/__autoapprove?account=$1&delay_ms=${2:-0}" >/dev/null
}

token_polls() {
	idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']"
}

proxy_log_reset() {
	curl -sS --cacert "$PROXY_CA" -X POST "$PROXY_URL/__log/reset" \
	    >/dev/null
}

# screen_check OUT [FORBIDDEN...]: what in pamdrive's output could act on a
# terminal or forge a log line; prints nothing when clean. The text of
# each message (between "MSG n" and "END") may hold no byte below 0x20 but
# \n, no 0x7f, no C1 control, none of U+200B-U+200F, U+202A-U+202E,
# U+2066-U+2069, and none of the FORBIDDEN strings; log lines hold none of
# these controls either, and every other line must be one of pamdrive's
# own (a line break inside a log message would start a stray line).
screen_check() {
	"$PY" -I -S "$ITEST/screen_check.py" "$@"
}

# plain_check FILE: the same byte rules for a whole file of plain text.
plain_check() {
	"$PY" -I -S "$ITEST/plain_check.py" "$1"
}

# verdict NAME WHY OUT: ok when WHY is empty.
verdict() {
	if [ -z "$2" ]; then ok "$1"; else not_ok "$1" "$2" "$3"; fi
}

# hlogin NAME CONF USER [pamdrive args...]: a login nobody approves by
# hand (the provider auto-approves, or nothing does); LOGIN_RC is its code.
hlogin() {
	local name="$1" conf="$2" user="$3"
	shift 3
	write_service "$WORK/pam.d" "$name" "$conf"
	login_start "$WORK/$name.out" "$name" "$user" "$@"
	login_wait
}

# dev_case NAME MEMBERS [FORBIDDEN...]: a login whose device authorization
# answer is rewritten with set_fields MEMBERS ("set": {...} or "pad":
# {...}). It must be refused (PAM_AUTHINFO_UNAVAIL with a logged reason) or
# signed in showing only safe text; FORBIDDEN strings are never shown.
dev_case() {
	local name="$1" members="$2" out="$WORK/hd-$1.out" why="" shown
	shift 2
	# A sanitised user_code keeps its printable part.
	case "$members" in
	*ABCD*) shown='^Code:  .*ABCD' ;;
	*) shown='^Code:  [^ ]' ;;
	esac
	proxy_log_reset
	proxy_mode "{\"mode\": \"set_fields\", \"paths\": [\"/device/auth\"], $members}"
	hlogin "hd-$name" "$WORK/hdev.conf" alice
	proxy_mode '{"mode": "pass"}'
	case "$LOGIN_RC" in
	"$PAM_AUTHINFO_UNAVAIL")
		grep -qE '^SYSLOG [0-3] .*(device authorization answer is malformed|answer too large)' \
		    "$out" || why="refused without a logged reason"
		;;
	"$PAM_SUCCESS")
		grep -q "$shown" "$out" || why="signed in, but no /$shown/ shown"
		;;
	*) why="code $LOGIN_RC" ;;
	esac
	[ "$(proxy_log "l['counters']['faults']")" -gt 0 ] ||
	    why="the proxy rewrote no device authorization answer"
	[ -z "$why" ] && why="$(screen_check "$out" "$@")"
	verdict "hostile device answer $name: refused with a logged reason or shown sanitised, nothing unsafe on screen ($(
	    [ "$LOGIN_RC" = 0 ] && echo shown || echo refused))" "$why" "$out"
}

# What a refused URI must never put on screen.
BAD_URI="evil.example javascript: data: http://"

# uri_case NAME FIELD JSON_STRING: FIELD of the device authorization
# answer becomes JSON_STRING; refused or not, it is never shown.
uri_case() {
	# shellcheck disable=SC2086
	dev_case "$1" "\"set\": {\"$2\": $3}" $BAD_URI
}

test_terminal_injection_device_answer() {
	local u="$PROXY_URL"
	conf_via_proxy "$WORK/hdev.conf" pam-public "wait = poll" \
	    "timeout = 20" "http_timeout = 5"
	autoapprove alice
	# Warm the discovery cache; the displayed code must be the real one.
	hlogin hd-warm "$WORK/hdev.conf" alice
	expect "hostile device answer: a plain login through the proxy succeeds" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/hd-warm.out"
	# user_code: a sanitised code may be shown (autoapproval signs in).
	dev_case uc-csi '"set": {"user_code": "\u001b[2J\u001b[1;1HABCD-EFGH"}'
	dev_case uc-colour '"set": {"user_code": "\u001b[31;1mABCD\u001b[0m-EFGH"}'
	dev_case uc-osc52 '"set": {"user_code": "ABCD\u001b]52;c;cm0gLXJmIH4K\u0007-EFGH"}'
	dev_case uc-osc8 '"set": {"user_code": "\u001b]8;;https://x.example/\u001b\\ABCD-EFGH\u001b]8;;\u001b\\"}'
	dev_case uc-crlf '"set": {"user_code": "ABCD-EFGH\r\nPassword: "}'
	dev_case uc-c1 '"set": {"user_code": "\u009b2JABCD-EFGH\u0085"}'
	dev_case uc-rlo '"set": {"user_code": "ABCD-\u202eHGFE\u202c"}'
	dev_case uc-isolate '"set": {"user_code": "\u2067ABCD-EFGH\u2069"}'
	dev_case uc-zwsp '"set": {"user_code": "AB\u200bCD-EF\u200fGH"}'
	dev_case uc-del-bs '"set": {"user_code": "ABCD\u007f\u0008\u0008-EFGH"}'
	dev_case uc-only-controls '"set": {"user_code": "\u001b\u0007\u202e"}'
	dev_case uc-100k '"pad": {"user_code": 100000}'
	dev_case uc-1m '"pad": {"user_code": 1048576}'
	# verification_uri and verification_uri_complete: refused, never shown.
	local f k long
	long="$(printf 'a%.0s' $(seq 3000))"
	for f in verification_uri verification_uri_complete; do
		k="${f#verification_}"
		uri_case "$k-javascript" $f '"javascript:alert(document.cookie)//"'
		uri_case "$k-data" $f '"data:text/html,<script>alert(1)</script>"'
		uri_case "$k-http" $f '"http://evil.example/device"'
		uri_case "$k-userinfo" $f '"https://idp@evil.example/"'
		uri_case "$k-userinfo-bs" $f '"https://idp.example\\@evil.example/"'
		uri_case "$k-csi" $f "\"$u/device\u001b[2J\""
		uri_case "$k-osc8" $f \
		    "\"\u001b]8;;https://evil.example/\u0007$u/device\u001b]8;;\u0007\""
		uri_case "$k-crlf" $f "\"$u/device\r\nPassword: \""
		uri_case "$k-rlo" $f "\"$u/de\u202evice\""
		uri_case "$k-zwsp" $f '"https://evil.example\u200b.127.0.0.1/device"'
		uri_case "$k-3k" $f "\"$u/$long\""
		dev_case "$k-1m" "\"pad\": {\"$f\": 1048576}" $BAD_URI
	done
	# A backslash in the authority: browsers read it as "/", so the page
	# opened is evil.example while the text reads as a name below it.
	uri_case uri-backslash verification_uri \
	    '"https://evil.example\\.127.0.0.1/device"'
	autoapprove ""
}

# tok_case NAME MEMBERS WANT...: the token endpoint's authorization_pending
# answers are rewritten with set_fields MEMBERS; the login ends with one of
# the WANT codes and nothing unsafe reaches the screen or the log.
tok_case() {
	local name="$1" members="$2" out="$WORK/ht-$1.out" why want
	shift 2
	proxy_log_reset
	proxy_mode "{\"mode\": \"set_fields\", \"paths\": [\"/token\"], \"where\": {\"error\": \"authorization_pending\"}, $members}"
	hlogin "ht-$name" "$WORK/htok.conf" alice
	proxy_mode '{"mode": "pass"}'
	why="code $LOGIN_RC"
	for want; do [ "$LOGIN_RC" = "$want" ] && why=""; done
	[ "$(proxy_log "l['counters']['faults']")" -gt 0 ] ||
	    why="the proxy rewrote no pending answer"
	[ -z "$why" ] && why="$(screen_check "$out")"
	want="$*"
	verdict "hostile token endpoint answer $name: ends with code ${want// / or }, nothing unsafe on screen or in the log" \
	    "$why" "$out"
}

# log_case NAME MEMBERS WANT: ID token claims or header edited (claims
# mode); code WANT, and log lines keep hostile bytes escaped.
log_case() {
	local name="$1" out="$WORK/hl-$1.out" why=""
	proxy_log_reset
	proxy_mode "{\"mode\": \"claims\", $2}"
	hlogin "hl-$name" "$WORK/htok.conf" alice
	proxy_mode '{"mode": "pass"}'
	[ "$LOGIN_RC" = "$3" ] || why="code $LOGIN_RC"
	[ "$(proxy_log "l['counters']['faults']")" -gt 0 ] ||
	    why="the proxy edited no ID token"
	[ -z "$why" ] && why="$(screen_check "$out")"
	verdict "hostile $name: code $3, escaped in the log, nothing unsafe on screen" \
	    "$why" "$out"
}

test_terminal_injection_after_device_answer() {
	local mix='"\u001b[2J\u001b]52;c;cm0gLXJmIH4K\u0007\r\nPassword: \u202e\u200b\u009b"'
	conf_via_proxy "$WORK/htok.conf" pam-public "wait = poll" \
	    "timeout = 20" "http_timeout = 5" "debug = yes" \
	    "pin_identity = no"
	# Two pending answers before the approval.
	autoapprove alice 2500
	tok_case description "\"set\": {\"error_description\": $mix, \"error_uri\": \"javascript:alert(1)\"}" \
	    $PAM_SUCCESS
	tok_case description-1m '"pad": {"error_description": 1048576}' \
	    $PAM_SUCCESS $PAM_AUTHINFO_UNAVAIL
	tok_case error '"set": {"error": "authorization_pending\u001b[2J\r\nSYSLOG 6 pam_oidc(x:auth): user root authenticated (sub 0)"}' \
	    $PAM_AUTHINFO_UNAVAIL
	has ht-error '^SYSLOG [0-7] .*token endpoint: HTTP 400, error authorization_pending\\x1b\[2J\\x0d\\x0aSYSLOG' \
	    "a hostile error code is logged with its control bytes escaped"
	tok_case error-rlo '"set": {"error": "\u202eslow_down"}' \
	    $PAM_AUTHINFO_UNAVAIL
	autoapprove alice
	log_case "sub claim" '"set": {"sub": "a1f2\u001b[2J\r\nSYSLOG 6 pam_oidc(x:auth): user root authenticated\u202e"}' \
	    $PAM_SUCCESS
	has "hl-sub claim" '^SYSLOG 6 .*user alice authenticated \(sub a1f2\\x1b\[2J\\x0d\\x0aSYSLOG' \
	    "a hostile sub is logged escaped"
	log_case "kid header" '"header_set": {"kid": "\u001b]52;c;eA==\u0007\nSYSLOG 6 forged"}' \
	    $PAM_AUTH_ERR
	log_case "alg header" '"header_set": {"alg": "RS256\u001b[2J\n"}' \
	    $PAM_AUTH_ERR
	autoapprove ""
}

# The helper prints the verified claims for an administrator's terminal.
test_helper_claims_output_is_safe() {
	local out="$WORK/hhelp.out" rc=0 why
	conf_via_proxy "$WORK/hhelp.conf" pam-public "wait = poll" "timeout = 20"
	proxy_mode '{"mode": "claims", "set": {"name": "\u202eecilA\u2066 \u001b[2J\u001b]52;c;cm0gLXJmIH4K\u0007\u200b", "email": "alice@example.com\r\nlocal user: root"}}'
	autoapprove alice
	env "${NSS_ENV[@]}" "$BUILD_ABS/pam-oidc" login --config \
	    "$WORK/hhelp.conf" --user alice >"$out" 2>&1 || rc=$?
	autoapprove ""
	proxy_mode '{"mode": "pass"}'
	why="$(plain_check "$out")"
	[ "$rc" = 0 ] || why="exit $rc"
	verdict "pam-oidc login prints hostile claims without controls or bidi characters" \
	    "$why" "$out"
}

# id_case NAME MEMBERS [USER [CONF]]: the ID token's (and userinfo's)
# claims are edited with claims MEMBERS; the login must end in
# PAM_AUTH_ERR with nothing granted: no account pass, no setcred, PAM_USER
# as it was (USER "": kiosk, where it must stay unset).
id_case() {
	local name="$1" out="$WORK/hi-$1.out" user="${3-alice}" why=""
	proxy_log_reset
	proxy_mode "{\"mode\": \"claims\", $2}"
	hlogin "hi-$name" "${4:-$WORK/hid.conf}" "$user" -C
	proxy_mode '{"mode": "pass"}'
	[ "$LOGIN_RC" = "$PAM_AUTH_ERR" ] || why="code $LOGIN_RC"
	grep -q '^RESULT setcred=' "$WORK/hi-$name.out" &&
	    why="${why:+$why, }setcred ran"
	grep -q '^RESULT acct=Success' "$out" &&
	    why="${why:+$why, }acct_mgmt passed"
	if [ -n "$user" ]; then
		[ "$(grep '^USER ' "$out")" = "USER $user" ] ||
		    why="${why:+$why, }PAM_USER changed"
	elif grep -q '^USER ' "$out"; then
		why="${why:+$why, }kiosk set PAM_USER"
	fi
	[ "$(proxy_log "l['counters']['faults']")" -gt 0 ] ||
	    why="${why:+$why, }the proxy edited no ID token"
	[ -z "$why" ] && why="$(screen_check "$out")"
	verdict "identity attack $name ($([ -n "$user" ] && echo "PAM_USER $user" ||
	    echo kiosk)): PAM_AUTH_ERR, nothing granted" "$why" "$out"
}

# un NAME JSON: an id_case whose username claim is JSON.
un() { id_case "$1" "\"set\": {\"preferred_username\": $2}" "${@:3}"; }

test_identity_attacks() {
	local long k="$WORK/hkiosk.conf" why
	long="\"$(printf 'a%.0s' $(seq 300))\""
	conf_via_proxy "$WORK/hid.conf" pam-public "wait = poll" \
	    "timeout = 20" "role_claim = roles" "role_map = admin = sudo"
	conf_via_proxy "$k" pam-public "wait = poll" "timeout = 20" \
	    "kiosk = yes" "role_claim = roles" "role_map = admin = sudo"
	autoapprove alice
	proxy_mode '{"mode": "claims", "set": {}}'
	hlogin hi-plain "$WORK/hid.conf" alice -C
	proxy_mode '{"mode": "pass"}'
	expect "identity attacks: a re-signed, unedited ID token signs in" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/hi-plain.out"
	un other-user '"bob"'
	id_case no-username-claim '"unset": ["preferred_username"], "set": {"name": "alice", "nickname": "alice", "given_name": "alice", "email": "alice", "upn": "alice", "login": "alice", "username": "alice", "sub": "alice"}'
	has hi-no-username-claim '^SYSLOG [0-7] .*the username claim is missing' \
	    "identity attack no-username-claim: no fallback to other claims, logged"
	un colon '"alice:x:0:0:root:/root:/bin/bash"'
	un comma '"alice,root"'
	un newline '"alice\nroot"'
	un trailing-newline '"alice\n"'
	un trailing-cr '"alice\r"'
	un dotdot-slash '"../alice"'
	un slash '"alice/../root"'
	un dotdot '".."'
	un leading-dash '"-alice"'
	un 300-bytes "$long"
	un cyrillic-a '"\u0430lice"'
	un fullwidth '"\uff41\uff4c\uff49\uff43\uff45"'
	un nul '"alice\u0000"'
	un nul-root '"alice\u0000root"'
	un upper-case '"Alice"'
	un trailing-space '"alice "'
	un zero-width '"alice\u200b"'
	un e-mail '"alice@example.com"'
	un array '["alice"]'
	un object '{"name": "alice"}'
	un number 2001
	un null null
	# An access token (RFC 9068) is no ID token, even with valid claims.
	id_case typ-at-jwt '"header_set": {"typ": "at+jwt"}'
	has hi-typ-at-jwt '^SYSLOG [0-7] .*ID token refused: typ is not JWT' \
	    "identity attack typ-at-jwt: the token type is logged"
	# Kiosk: the claim would become PAM_USER.
	un kiosk-root-passwd-line '"root:x:0:0"' "" "$k"
	un kiosk-root-newline '"root\nalice"' "" "$k"
	un kiosk-dotdot-root '"../root"' "" "$k"
	un kiosk-cyrillic-a '"\u0430lice"' "" "$k"
	un kiosk-nul '"alice\u0000"' "" "$k"
	un kiosk-leading-dash '"-alice"' "" "$k"
	un kiosk-trailing-space '"alice "' "" "$k"
	id_case kiosk-no-username-claim '"unset": ["preferred_username"], "set": {"name": "alice", "email": "alice"}' "" "$k"
	autoapprove ""
	# PAM_USER as typed at a login: prompt is hostile too (no line
	# break: pamdrive prints PAM_USER on a line of its own).
	# No such account: the same sign-in as for any name, refused as a
	# mismatch (alice approves).
	autoapprove alice
	hlogin hi-typed "$WORK/hid.conf" $'\e[2J\e]52;c;eA==\aroot\r\u202e'
	autoapprove ""
	why=""
	[ "$LOGIN_RC" = $PAM_AUTH_ERR ] || why="code $LOGIN_RC"
	grep -q '^SYSLOG [0-7] .*is not the account \\x1b\[2J\\x1b\]52' \
	    "$WORK/hi-typed.out" || why="${why:+$why, }not logged escaped"
	[ -z "$why" ] && why="$(screen_check "$WORK/hi-typed.out")"
	verdict "a hostile PAM_USER: refused as a mismatch, logged escaped, nothing unsafe on screen" \
	    "$why" "$WORK/hi-typed.out"
}

# role_case NAME ROLES_JSON [WANT...]: alice's roles claim becomes
# ROLES_JSON; the login ends with a WANT code (default PAM_SUCCESS or
# PAM_AUTH_ERR) and setcred grants nothing: the groups are those of a
# login without roles.
role_case() {
	local name="$1" roles="$2" out="$WORK/hr-$1.out" why want
	shift 2
	[ $# -gt 0 ] || set -- "$PAM_SUCCESS" "$PAM_AUTH_ERR"
	proxy_log_reset
	proxy_mode "{\"mode\": \"claims\", \"set\": {\"roles\": $roles}}"
	hlogin "hr-$name" "$WORK/hrole.conf" alice -C
	proxy_mode '{"mode": "pass"}'
	why="code $LOGIN_RC"
	for want; do [ "$LOGIN_RC" = "$want" ] && why=""; done
	[ "$(proxy_log "l['counters']['faults']")" -gt 0 ] ||
	    why="the proxy edited no ID token"
	if [ -z "$why" ] && [ "$LOGIN_RC" = "$PAM_SUCCESS" ]; then
		if ! grep -q '^RESULT setcred=Success' "$out"; then
			why="setcred did not succeed"
		elif [ "$(grep '^GROUPS' "$out")" != "$GROUPS_BASE" ]; then
			why="groups changed: $(grep '^GROUPS' "$out")"
		fi
	fi
	[ -z "$why" ] && why="$(screen_check "$out")"
	verdict "role injection $name: nothing granted" "$why" "$out"
}

test_role_injection() {
	local before after r name
	conf_via_proxy "$WORK/hrole.conf" pam-public "wait = poll" \
	    "timeout = 20" "role_claim = roles" "role_map = admin = sudo" \
	    "role_map = user = users"
	conf_via_proxy "$WORK/hallow.conf" pam-public "wait = poll" \
	    "timeout = 20" "role_claim = roles" "allowed_roles = admin"
	if [ "$(id -u)" -ne 0 ]; then
		echo "skip - role injection: setgroups needs root"
		return
	fi
	before="$(sha256sum /etc/group /etc/gshadow "$WORK/group" 2>/dev/null)"
	autoapprove alice
	proxy_mode '{"mode": "claims", "set": {"roles": []}}'
	hlogin hr-none "$WORK/hrole.conf" alice -C
	GROUPS_BASE="$(grep '^GROUPS' "$WORK/hr-none.out")"
	proxy_mode '{"mode": "claims", "set": {"roles": ["admin"]}}'
	hlogin hr-admin "$WORK/hrole.conf" alice -C
	proxy_mode '{"mode": "pass"}'
	grep -qE '^GROUPS( .*)? sudo( |$)' "$WORK/hr-admin.out" &&
	    ! grep -qE '^GROUPS( .*)? sudo( |$)' "$WORK/hr-none.out" &&
	    ok "role injection: through the proxy, role admin grants sudo and no role grants nothing" ||
	    not_ok "role injection baseline" "admin did not grant sudo" \
	    "$WORK/hr-admin.out"
	while IFS='|' read -r name r; do
		role_case "$name" "$r"
	done <<'CASES'
group-line|["admin\nroot:x:0:evil"]
group-line-string|"admin\nroot:x:0:evil"
group-line-gid|["admin:x:27:alice"]
colon|["admin:x"]
comma|["admin,sudo"]
trailing-newline|["admin\n"]
trailing-space|["admin "]
leading-space|[" admin"]
words|"user admin"
upper-case|["ADMIN"]
cyrillic-a|["\u0430dmin"]
zero-width|["admin\u200b"]
nul|["admin\u0000"]
group-name|["sudo", "root", "users"]
wildcard|["*", "%sudo", "admin*"]
object|{"admin": true}
CASES
	role_case too-long-role "[\"admin\", \"$(printf 'a%.0s' $(seq 300))\"]" \
	    $PAM_AUTH_ERR
	after="$(sha256sum /etc/group /etc/gshadow "$WORK/group" 2>/dev/null)"
	expect "role injection: the group files are unchanged" "$before" "$after"
	# allowed_roles = admin: only the exact role passes the account check.
	for r in '["admin\n"]' '["admin:x"]' '["ADMIN"]' '["\u0430dmin"]' \
	    '"admin "'; do
		proxy_mode "{\"mode\": \"claims\", \"set\": {\"roles\": $r}}"
		hlogin hr-allow "$WORK/hallow.conf" alice -C
		proxy_mode '{"mode": "pass"}'
		grep -q '^RESULT acct=Success' "$WORK/hr-allow.out" &&
		    not_ok "allowed_roles = admin: roles $r pass the account check" \
		    "acct_mgmt Success" "$WORK/hr-allow.out" ||
		    ok "allowed_roles = admin: roles $r do not pass the account check"
	done
	autoapprove ""
}

# pin_sub = USER = SUB ties a user to one subject at the provider.
test_sub_pinning() {
	local f="$WORK/hpin.conf"
	conf_via_proxy "$f" pam-public "wait = poll" "timeout = 20" \
	    "pin_sub = alice = a1f2c3d4-0001"
	autoapprove alice
	hlogin hp-same "$f" alice
	expect "pin_sub: the pinned user with the pinned sub signs in" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/hp-same.out"
	proxy_mode '{"mode": "claims", "set": {"sub": "f0f0f0f0-9999"}}'
	hlogin hp-other "$f" alice
	expect "pin_sub: the pinned user arriving with another sub is refused" \
	    $PAM_AUTH_ERR "$LOGIN_RC" "$WORK/hp-other.out"
	autoapprove bob
	proxy_mode '{"mode": "claims", "set": {"sub": "b0b0b0b0-9999"}}'
	hlogin hp-bob "$f" bob
	proxy_mode '{"mode": "pass"}'
	expect "pin_sub: a user without a pin signs in with a new sub" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/hp-bob.out"
	autoapprove ""
}

# env_login NAME CONF VAR=VALUE...: a login with these in the driver's
# environment.
env_login() {
	local name="$1" conf="$2" saved=("${NSS_ENV[@]}")
	shift 2
	NSS_ENV+=("$@")
	write_service "$WORK/pam.d" "$name" "$conf"
	login_start "$WORK/$name.out" "$name" alice
	NSS_ENV=("${saved[@]}")
	login_wait
}

# rehash_dir DIR PEM: DIR holds PEM under its OpenSSL hash name.
rehash_dir() {
	mkdir -p "$1"
	cp "$2" "$1/ca.pem"
	ln -sf ca.pem "$1/$(openssl x509 -hash -noout -in "$2").0"
}

test_environment_does_not_steer() {
	local fwd home="$WORK/envhome" good="$IDP_DIR/ca.pem"
	local other="$IDP_DIR/other-ca.pem" kl="$WORK/keylog.txt" hits
	fwd="http://127.0.0.1:$(proxy_log "l['ports']['forward']")"
	mkdir -p "$home"
	printf 'proxy = "%s"\ninsecure\ncacert = "%s"\n' "$fwd" "$other" \
	    >"$home/.curlrc"
	rehash_dir "$WORK/env-other-ca" "$other"
	rehash_dir "$WORK/env-good-ca" "$good"
	write_conf "$WORK/henv.conf" pam-public "wait = poll" "timeout = 20"
	write_conf "$WORK/henv-wrong.conf" pam-public "wait = poll" \
	    "timeout = 20"
	sed -i "s|^ca_file = .*|ca_file = $other|" "$WORK/henv-wrong.conf"
	autoapprove alice
	proxy_log_reset
	rm -f "$kl"
	env_login henv "$WORK/henv.conf" "https_proxy=$fwd" \
	    "HTTPS_PROXY=$PROXY_URL" "all_proxy=$fwd" "ALL_PROXY=$PROXY_URL" \
	    "http_proxy=$fwd" "NO_PROXY=" "no_proxy=" \
	    "SSL_CERT_FILE=$other" "SSL_CERT_DIR=$WORK/env-other-ca" \
	    "CURL_CA_BUNDLE=$other" "HOME=$home" "CURL_HOME=$home" \
	    "SSLKEYLOGFILE=$kl"
	expect "proxy, CA and curlrc settings in the environment: the config decides, success" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/henv.out"
	hits="$(proxy_log "len(l['proxy_hits']) + len(l['requests'])")"
	expect "https_proxy/HTTPS_PROXY/all_proxy/ALL_PROXY/.curlrc: no request reached a proxy" \
	    0 "$hits"
	if [ -s "$kl" ]; then
		not_ok "SSLKEYLOGFILE in the environment gets no TLS secrets" \
		    "$(wc -l <"$kl") key log lines written to $kl" "$WORK/henv.out"
	else
		ok "SSLKEYLOGFILE in the environment gets no TLS secrets"
	fi
	env_login henv-wrong "$WORK/henv-wrong.conf" "SSL_CERT_FILE=$good" \
	    "SSL_CERT_DIR=$WORK/env-good-ca" "CURL_CA_BUNDLE=$good" \
	    "HOME=$home" "CURL_HOME=$home"
	expect "ca_file of another CA: the environment's CA settings cannot rescue it (PAM_AUTHINFO_UNAVAIL)" \
	    $PAM_AUTHINFO_UNAVAIL "$LOGIN_RC" "$WORK/henv-wrong.out"
	autoapprove ""
}

# sudo_like_start OUT SERVICE USER ANSWER: sudodrive (a PAM application
# as sudo is during authentication: SIGINT, SIGHUP and SIGTERM caught with
# SA_RESTART, not fatal) in the background; it answers an echo-off prompt
# with "" (enter), no response array (null-array) or a NULL string
# (null-string).
sudo_like_start() {
	env "${NSS_ENV[@]}" "$BUILD_ABS/sudodrive" -c "$WORK/pam.d" -s "$2" \
	    -u "$3" -a "$4" >"$1" 2>&1 &
	LOGIN_PID=$!
}

# alive PID: running and not yet a zombie.
alive() {
	local st
	st="$(ps -o stat= -p "$1" 2>/dev/null)"
	[ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

# next_poll: waits (at most 5 s) for the provider to see a token request;
# prints the count of token requests.
next_poll() {
	local n0 n i
	n0="$(token_polls)"
	n="$n0"
	for ((i = 0; i < 50 && n == n0; i++)); do
		sleep 0.1
		n="$(token_polls)"
	done
	echo "$n"
}

# interrupt_case NAME SIGNAL pamdrive|sudo-like: SIGNAL reaches the driver
# while it polls (right after a poll, so none is in flight): polling stops
# at once, the login ends (the signal's death, PAM_CONV_ERR or
# PAM_AUTH_ERR) and no process is left.
interrupt_case() {
	local name="$1" sig="$2" how="$3" out="$WORK/hs-$1.out" p0 p1 i
	local kids saved signo hung=""
	signo="$(kill -l "$sig")"
	idp_reset "$IDP_DIR" "$IDP_PORT"
	write_service "$WORK/pam.d" "hs-$name" "$WORK/hsig.conf"
	: >"$out"
	if [ "$how" = pamdrive ]; then
		saved=("${NSS_ENV[@]}")
		NSS_ENV=("--default-signal=$sig" "${saved[@]}")
		login_start "$out" "hs-$name" alice
		NSS_ENV=("${saved[@]}")
	else
		sudo_like_start "$out" "hs-$name" alice enter
	fi
	if ! wait_code "$out" >/dev/null; then
		kill -KILL "$LOGIN_PID" 2>/dev/null
		{ login_wait; } 2>/dev/null
		not_ok "$sig to $how while polling" "no code shown" "$out"
		return
	fi
	p0="$(next_poll)"
	kids="$(pgrep -P "$LOGIN_PID" | tr '\n' ' ')"
	# (The shell's report of a job killed by a signal is not wanted.)
	{
		kill -s "$sig" "$LOGIN_PID"
		# Three poll intervals.
		sleep 3
		p1="$(token_polls)"
		# A hang bound well past timeout = 10.
		for ((i = 0; i < 250; i++)); do
			alive "$LOGIN_PID" || break
			sleep 0.1
		done
		if alive "$LOGIN_PID"; then
			hung=1
			kill -KILL "$LOGIN_PID"
		fi
		login_wait
	} 2>/dev/null
	expect "$sig to $how while polling: no token request after the signal" \
	    "$p0" "$p1" "$out"
	case "$LOGIN_RC" in
	"$PAM_CONV_ERR" | "$PAM_AUTH_ERR" | $((128 + signo)))
		[ -z "$hung" ] &&
		    ok "$sig to $how while polling: the login ends (code $LOGIN_RC)" ||
		    not_ok "$sig to $how while polling" "still running 25 s later"
		;;
	*) not_ok "$sig to $how while polling: the login ends" \
	    "code $LOGIN_RC" "$out" ;;
	esac
	if [ -z "$kids" ] && ! alive "$LOGIN_PID"; then
		ok "$sig to $how while polling: no process left"
	else
		not_ok "$sig to $how while polling: no process left" \
		    "children: ${kids:-none}" "$out"
	fi
}

# conv_case ANSWER LABEL WANT [WANT_POLLS]: wait = enter, the sudo-like
# driver answers the prompt with ANSWER; the provider auto-approves.
conv_case() {
	local out="$WORK/hc-$1.out" i
	idp_reset "$IDP_DIR" "$IDP_PORT"
	write_service "$WORK/pam.d" "hc-$1" "$WORK/henter.conf"
	sudo_like_start "$out" "hc-$1" alice "$1"
	for ((i = 0; i < 300; i++)); do
		alive "$LOGIN_PID" || break
		sleep 0.1
	done
	alive "$LOGIN_PID" && kill -KILL "$LOGIN_PID"
	login_wait
	expect "conversation: $2" "$3" "$LOGIN_RC" "$out"
	[ -n "${4:-}" ] &&
	    expect "conversation: $2, no token request after the prompt" \
	    "$4" "$(token_polls)" "$out"
}

test_conversation_and_interruption() {
	write_conf "$WORK/henter.conf" pam-public "wait = enter" "timeout = 20"
	write_conf "$WORK/hsig.conf" pam-public "wait = poll" "timeout = 10"
	autoapprove alice
	conv_case enter "the sudo-like driver answers Enter: PAM_SUCCESS" \
	    $PAM_SUCCESS
	conv_case null-array "no response to the Enter prompt: PAM_CONV_ERR" \
	    $PAM_CONV_ERR 0
	conv_case null-string \
	    "a NULL answer to the Enter prompt (Ctrl-D in misc_conv): PAM_CONV_ERR" \
	    $PAM_CONV_ERR 0
	# The information message cannot be shown: no polling.
	idp_reset "$IDP_DIR" "$IDP_PORT"
	write_service "$WORK/pam.d" hc-fail "$WORK/hsig.conf"
	login_start "$WORK/hc-fail.out" hc-fail alice -f
	login_wait
	expect "conversation error on the code message (wait = poll): PAM_CONV_ERR" \
	    $PAM_CONV_ERR "$LOGIN_RC" "$WORK/hc-fail.out"
	expect "conversation error on the code message: no token request" 0 \
	    "$(token_polls)"
	autoapprove ""
	interrupt_case int-pamdrive INT pamdrive
	interrupt_case term-pamdrive TERM pamdrive
	interrupt_case hup-pamdrive HUP pamdrive
	interrupt_case int-sudo-like INT sudo-like
	interrupt_case hup-sudo-like HUP sudo-like
}

# secrets_check OUT STRACE SECRETS_FILE: which secret (or a 12-character
# piece of one) appears in the driver's output or in the execve trace.
secrets_check() {
	"$PY" -I -S "$ITEST/secrets_check.py" "$@"
}

# A discovery document or a JWKS the module refuses is never cached: the
# next login fetches it again and, once the provider is fixed, signs in.
test_refused_documents_not_cached() {
	local n why
	conf_via_proxy "$WORK/refuse.conf" pam-public "wait = poll" \
	    "timeout = 20" "http_timeout = 5"
	autoapprove alice
	rm -rf "$WORK/cache"/*
	proxy_log_reset
	proxy_mode '{"mode": "set_fields", "paths": ["/.well-known/openid-configuration"], "set": {"issuer": "https://evil.example"}}'
	hlogin refuse-disco "$WORK/refuse.conf" alice
	proxy_mode '{"mode": "pass"}'
	n=$(find "$WORK/cache" -name 'discovery-*' | wc -l)
	why=""
	[ "$LOGIN_RC" != "$PAM_SUCCESS" ] || why="signed in"
	[ "$n" = 0 ] || why="$why; the refused document was cached"
	[ "$(proxy_log "l['counters']['faults']")" -gt 0 ] ||
	    why="$why; the proxy rewrote no discovery document"
	verdict "a discovery document naming another issuer is refused and not cached" \
	    "$why" "$WORK/refuse-disco.out"
	proxy_log_reset
	proxy_mode '{"mode": "set_fields", "paths": ["/jwks"], "set": {"keys": "none"}}'
	hlogin refuse-jwks "$WORK/refuse.conf" alice
	proxy_mode '{"mode": "pass"}'
	n=$(find "$WORK/cache" -regextype posix-extended \
	    -regex '.*/jwks-[0-9a-f]{64}' | wc -l)
	why=""
	[ "$LOGIN_RC" != "$PAM_SUCCESS" ] || why="signed in"
	[ "$n" = 0 ] || why="$why; the refused JWKS was cached"
	[ "$(proxy_log "l['counters']['faults']")" -gt 0 ] ||
	    why="$why; the proxy rewrote no JWKS"
	verdict "a malformed JWKS is refused and not cached" "$why" \
	    "$WORK/refuse-jwks.out"
	hlogin refuse-fixed "$WORK/refuse.conf" alice
	expect "the provider fixed, the next login fetches both again and signs in" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/refuse-fixed.out"
	n=$(find "$WORK/cache" -name 'discovery-*' | wc -l)
	expect "the accepted discovery document is cached" 1 "$n"
}

test_no_secrets_in_logs_or_children() {
	local out="$WORK/hsec.out" st="$WORK/hsec.strace" n
	conf_via_proxy "$WORK/hsec.conf" pam-basic "debug = yes" \
	    "wait = poll" "timeout = 20" "client_auth = client_secret_basic"
	write_service "$WORK/pam.d" hsec "$WORK/hsec.conf"
	proxy_mode '{"mode": "pass"}'
	proxy_log_reset
	autoapprove alice 1500
	# LeakSanitizer cannot run under ptrace; the other logins of this
	# suite check for leaks.
	env "${NSS_ENV[@]}" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -qq -e trace=execve -s 4096 -v -o "$st" \
	    "$BUILD_ABS/pamdrive" -c "$WORK/pam.d" -s hsec -u alice \
	    >"$out" 2>&1 &
	LOGIN_PID=$!
	login_wait
	autoapprove ""
	expect "debug login with client_secret_basic under strace succeeds" \
	    $PAM_SUCCESS "$LOGIN_RC" "$out"
	{
		proxy_log "'\n'.join(k + '\t' + v for r in l['requests'] for k, v in (r.get('secrets') or {}).items())"
		printf 'client_secret\tbasic-secret\n'
		printf 'basic_credentials\t%s\n' \
		    "$(printf 'pam-basic:basic-secret' | base64 -w0)"
	} >"$WORK/hsec.secrets"
	n="$(cut -f1 "$WORK/hsec.secrets" | sort -u | tr '\n' ' ')"
	expect "the proxy saw the device code, access token and ID token" \
	    "access_token basic_credentials client_secret device_code id_token " \
	    "$n"
	verdict "no device code, access token, ID token or client secret in the log or the conversation" \
	    "$(secrets_check "$out" "$st" "$WORK/hsec.secrets")" "$out"
	# The only program executed is the driver itself.
	n="$(grep -cE '^[0-9]+ +execve\(' "$st")"
	if [ "$n" = 1 ] && grep -qE '^[0-9]+ +execve\("[^"]*/pamdrive"' "$st"; then
		ok "a login executes no program (execve: the driver only)"
	else
		not_ok "a login executes no program" "$n execve calls" "$st"
	fi
}
