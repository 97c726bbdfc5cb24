# Integration tests of who may become whom (sourced by run.sh): the iss +
# sub pin, system accounts, the account gate, e-mail names, files that
# decide who gets in, scanners, and multi-factor claims. Uses lib.sh,
# providers.sh and hostile.sh.

# pin_case NAME CONF SUB: alice signs in with her sub replaced by SUB
# (the proxy re-signs the ID token); LOGIN_RC is the PAM code.
pin_case() {
	if [ -n "$3" ]; then
		proxy_mode "{\"mode\": \"claims\", \"set\": {\"sub\": \"$3\"}}"
	else
		proxy_mode '{"mode": "claims", "set": {}}'
	fi
	hlogin "$1" "$2" alice -C
	proxy_mode '{"mode": "pass"}'
}

test_identity_pinning() {
	local f="$WORK/ipin.conf" off="$WORK/ipin-off.conf" out mode
	conf_via_proxy "$f" pam-public "wait = poll" "timeout = 20"
	conf_via_proxy "$off" pam-public "wait = poll" "timeout = 20" \
	    "pin_identity = no"
	autoapprove alice
	pin_case ip-first "$f" ""
	expect "pin: alice's first sign-in succeeds" $PAM_SUCCESS "$LOGIN_RC" \
	    "$WORK/ip-first.out"
	has ip-first '^SYSLOG 5 .*user alice is now bound to iss https://127.0.0.1:[0-9]+ sub a1f2c3d4-0001' \
	    "pin: the first sign-in records iss and sub, and says so"
	mode="$(stat -c '%a %U' "$WORK/state/ipin/pins/alice" 2>/dev/null)"
	expect "pin: the pin is root's alone (0600)" "600 root" "$mode"
	# Another provider account renamed itself alice.
	pin_case ip-rename "$f" "rename-attacker-0009"
	expect "pin: a second provider account named alice is refused" \
	    $PAM_AUTH_ERR "$LOGIN_RC" "$WORK/ip-rename.out"
	has ip-rename '^SYSLOG 5 .*user alice is bound to sub a1f2c3d4-0001, but sub rename-attacker-0009 .*refused' \
	    "pin: the refusal names both subjects"
	grep -q '^RESULT acct=Success\|^RESULT setcred=' "$WORK/ip-rename.out" &&
	    not_ok "pin: nothing granted after the refusal" "granted" \
	    "$WORK/ip-rename.out" || ok "pin: nothing granted after the refusal"
	pin_case ip-again "$f" ""
	expect "pin: the real alice still signs in" $PAM_SUCCESS "$LOGIN_RC" \
	    "$WORK/ip-again.out"
	out="$WORK/ip-list.out"
	"$BUILD_ABS/pam-oidc" pins --config "$f" >"$out" 2>&1
	grep -qE '^alice +https://127.0.0.1:[0-9]+ +a1f2c3d4-0001 ' "$out" &&
	    ok "pam-oidc pins lists alice with her iss and sub" ||
	    not_ok "pam-oidc pins" "alice missing" "$out"
	"$BUILD_ABS/pam-oidc" pins forget alice --config "$f" >>"$out" 2>&1
	expect "pam-oidc pins forget alice" 0 "$?" "$out"
	pin_case ip-repin "$f" "recreated-0010"
	expect "pin: after forget, the re-created account signs in and re-pins" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/ip-repin.out"
	pin_case ip-old "$f" ""
	expect "pin: then the old sub is the stranger" $PAM_AUTH_ERR \
	    "$LOGIN_RC" "$WORK/ip-old.out"
	# pin_identity = no: the name alone binds (the man page says the risk).
	pin_case ip-off1 "$off" ""
	expect "pin_identity = no: alice signs in" $PAM_SUCCESS "$LOGIN_RC" \
	    "$WORK/ip-off1.out"
	pin_case ip-off2 "$off" "rename-attacker-0009"
	expect "pin_identity = no: another sub named alice signs in too" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/ip-off2.out"
	[ -e "$WORK/state/ipin-off/pins/alice" ] &&
	    not_ok "pin_identity = no records nothing" "a pin" ||
	    ok "pin_identity = no records nothing"
	autoapprove ""
}

# sys_case NAME USER WANT [CONF]: PAM_USER USER; the provider must not be
# asked when WANT is PAM_USER_UNKNOWN.
sys_case() {
	local before after
	before="$(idp_stat "$IDP_DIR" "$IDP_PORT" \
	    "s['module_requests'].get('/device/auth', 0)")"
	hlogin "$1" "${4:-$WORK/isys.conf}" "$2"
	after="$(idp_stat "$IDP_DIR" "$IDP_PORT" \
	    "s['module_requests'].get('/device/auth', 0)")"
	expect "system accounts: PAM_USER $2 gives code $3" "$3" "$LOGIN_RC" \
	    "$WORK/$1.out"
	if [ "$3" = "$PAM_USER_UNKNOWN" ]; then
		expect "system accounts: $2: the provider is not asked" \
		    "$before" "$after"
		grep -q '^RESULT acct=Success' "$WORK/$1.out" &&
		    not_ok "system accounts: $2 passes no account check" \
		    "it did" "$WORK/$1.out" ||
		    ok "system accounts: $2 passes no account check"
	fi
}

test_system_accounts() {
	local k="$WORK/isys-kiosk.conf"
	conf_via_proxy "$WORK/isys.conf" pam-public "wait = poll" "timeout = 20"
	conf_via_proxy "$WORK/isys-root.conf" pam-public "wait = poll" \
	    "timeout = 20" "system_accounts = root"
	conf_via_proxy "$k" pam-public "wait = poll" "timeout = 20" \
	    "kiosk = yes"
	sys_case isys-root root $PAM_USER_UNKNOWN
	has isys-root '^SYSLOG 5 .*root is a system account \(UID 0\): left to the rest of the stack' \
	    "system accounts: the log says root is left to the rest of the stack"
	grep -q '^MSG 1\|^MSG 4' "$WORK/isys-root.out" &&
	    not_ok "system accounts: root is shown no code" "shown" \
	    "$WORK/isys-root.out" || ok "system accounts: root is shown no code"
	sys_case isys-daemon daemon $PAM_USER_UNKNOWN
	# Listed, root goes through the provider like anyone.
	autoapprove alice
	proxy_mode '{"mode": "claims", "set": {"preferred_username": "root"}}'
	sys_case isys-listed root $PAM_SUCCESS "$WORK/isys-root.conf"
	# Kiosk: a provider account named root or daemon never becomes PAM_USER.
	for u in root daemon; do
		proxy_mode "{\"mode\": \"claims\", \"set\": {\"preferred_username\": \"$u\"}}"
		hlogin "isys-kiosk-$u" "$k" ""
		if [ "$LOGIN_RC" != "$PAM_SUCCESS" ] &&
		    ! grep -q "^USER $u" "$WORK/isys-kiosk-$u.out"; then
			ok "kiosk: a provider account named $u is refused (code $LOGIN_RC), PAM_USER stays unset"
		else
			not_ok "kiosk: provider account $u" "code $LOGIN_RC" \
			    "$WORK/isys-kiosk-$u.out"
		fi
	done
	proxy_mode '{"mode": "pass"}'
	autoapprove ""
}

test_email_usernames() {
	local f="$WORK/imail.conf" g="$WORK/imail-off.conf"
	conf_via_proxy "$f" pam-public "wait = poll" "timeout = 20" \
	    "username_claim = email" \
	    "username_transform = strip_domain=example.com"
	conf_via_proxy "$g" pam-public "wait = poll" "timeout = 20" \
	    "username_claim = email" \
	    "username_transform = strip_domain=example.com" \
	    "require_email_verified = no"
	autoapprove alice
	proxy_mode '{"mode": "claims", "set": {"email_verified": false}}'
	hlogin imail-unverified "$f" alice
	expect "email username: an unverified address is refused" \
	    $PAM_AUTH_ERR "$LOGIN_RC" "$WORK/imail-unverified.out"
	has imail-unverified 'email_verified is not true' \
	    "email username: the log says email_verified is not true"
	hlogin imail-off "$g" alice
	expect "email username: require_email_verified = no accepts it" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/imail-off.out"
	proxy_mode '{"mode": "claims", "set": {"email_verified": true}}'
	hlogin imail-verified "$f" alice
	expect "email username: a verified address signs in" $PAM_SUCCESS \
	    "$LOGIN_RC" "$WORK/imail-verified.out"
	proxy_mode '{"mode": "pass"}'
	autoapprove ""
}

# file_case NAME WANT_CODE: a login whose config is $WORK/NAME.conf.
file_case() {
	local t0 t1
	write_service "$WORK/pam.d" "$1" "$WORK/$1.conf"
	t0=$(date +%s%N)
	login_start "$WORK/$1.out" "$1" alice
	login_wait
	t1=$(date +%s%N)
	expect "$3 (code $LOGIN_RC, $(((t1 - t0) / 1000000)) ms)" "$2" \
	    "$LOGIN_RC" "$WORK/$1.out"
}

test_files_that_decide() {
	local d="$WORK/ifiles"
	mkdir -p "$d" && chmod 0755 "$d"
	mkfifo "$WORK/ififo.conf"
	( sleep 30 >"$WORK/ififo.conf" ) 2>/dev/null &
	local writer=$!
	file_case ififo $PAM_SERVICE_ERR "a FIFO as the config: refused at once"
	kill "$writer" 2>/dev/null
	write_conf "$WORK/ilink.conf" pam-public
	ln -f "$WORK/ilink.conf" "$WORK/ilink-second-name"
	file_case ilink $PAM_SERVICE_ERR "a config with a second hard link: refused"
	has ilink 'has 2 hard links' "the hard link is named in the log"
	mkdir -p "$WORK/igw" && chmod 0775 "$WORK/igw"
	write_conf "$WORK/igw/c.conf" pam-public
	ln -sf "$WORK/igw/c.conf" "$WORK/igw.conf" 2>/dev/null
	write_service "$WORK/pam.d" igw "$WORK/igw/c.conf"
	login_start "$WORK/igw.out" igw alice
	login_wait
	expect "a config in a group-writable directory: refused" \
	    $PAM_SERVICE_ERR "$LOGIN_RC" "$WORK/igw.out"
	has igw 'which group or others can write to' \
	    "the writable directory is named in the log"
	mkfifo "$WORK/ica-fifo.pem"
	write_conf "$WORK/ica.conf" pam-public
	sed -i "s|^ca_file = .*|ca_file = $WORK/ica-fifo.pem|" "$WORK/ica.conf"
	file_case ica $PAM_SERVICE_ERR "a FIFO as ca_file: refused at once"
	write_conf "$WORK/iroot.conf" pam-public "role_map = admin = root"
	file_case iroot $PAM_SERVICE_ERR "role_map naming root's group: refused"
	has iroot 'has GID 0; a role never grants' \
	    "role_map: the log says GID 0 is never granted"
	rm -f "$WORK/ififo.conf" "$WORK/ica-fifo.pem" "$WORK/ilink-second-name"
}

# 100 sign-ins nobody approves, all at once: the provider issues at
# most device_rate_limit codes; the rest are turned away before asking.
test_device_rate_limit() {
	local f="$WORK/irate.conf" i n=0 unavail=0 pids=()
	write_conf "$f" pam-public "wait = poll" "timeout = 10" \
	    "device_rate_limit = 30"
	sed -i "s|^cache_dir = .*|cache_dir = $WORK/rate-cache|" "$f"
	write_service "$WORK/pam.d" irate "$f"
	idp_reset "$IDP_DIR" "$IDP_PORT"
	for i in $(seq 1 100); do
		env "${NSS_ENV[@]}" "$BUILD_ABS/pamdrive" -c "$WORK/pam.d" \
		    -s irate -u alice >"$WORK/irate-$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
		[ $? = "$PAM_AUTHINFO_UNAVAIL" ] && unavail=$((unavail + 1))
	done
	n="$(idp_stat "$IDP_DIR" "$IDP_PORT" \
	    "s['module_requests'].get('/device/auth', 0)")"
	echo "    100 unapproved sign-ins: the provider saw $n device authorizations, $unavail were turned away"
	[ "$n" -le 30 ] && [ "$n" -ge 1 ] &&
	    ok "rate limit: at most 30 device authorizations reached the provider" ||
	    not_ok "rate limit" "$n device authorizations"
	expect "rate limit: the others ended PAM_AUTHINFO_UNAVAIL at once" \
	    $((100 - n)) "$unavail"
	grep -qh '^SYSLOG 4 .*device_rate_limit (30 per minute on this host) reached' \
	    "$WORK"/irate-*.out && ok "rate limit: the refusal is logged" ||
	    not_ok "rate limit: log line" "missing"
}

test_multi_factor() {
	local f="$WORK/imfa.conf" g="$WORK/imfa-req.conf"
	conf_via_proxy "$f" pam-public "wait = poll" "timeout = 20" \
	    "acr_values = urn:example:mfa" "require_claim = amr = otp"
	autoapprove alice
	proxy_log_reset
	proxy_mode '{"mode": "claims", "set": {"amr": ["pwd", "otp"], "acr": "urn:example:mfa"}}'
	hlogin imfa-otp "$f" alice
	expect "multi-factor: amr [pwd, otp] meets require_claim amr = otp" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/imfa-otp.out"
	proxy_log "any(e.get('acr_values') == 'urn:example:mfa' for e in l['requests'])" \
	    >"$WORK/imfa-acr.out" 2>&1
	grep -q True "$WORK/imfa-acr.out" &&
	    ok "multi-factor: acr_values reached the provider's device authorization" ||
	    not_ok "multi-factor: acr_values sent" "not in the request" \
	    "$WORK/imfa-acr.out"
	proxy_mode '{"mode": "claims", "set": {"amr": ["pwd"]}}'
	hlogin imfa-pwd "$f" alice
	expect "multi-factor: amr [pwd] alone is refused" $PAM_AUTH_ERR \
	    "$LOGIN_RC" "$WORK/imfa-pwd.out"
	proxy_mode '{"mode": "claims", "set": {"amr": "otp pwd"}}'
	hlogin imfa-str "$f" alice
	expect "multi-factor: a string that merely contains otp is refused" \
	    $PAM_AUTH_ERR "$LOGIN_RC" "$WORK/imfa-str.out"
	conf_via_proxy "$g" pam-public "wait = poll" "timeout = 20" \
	    "require_claim = acr = urn:example:mfa"
	proxy_mode '{"mode": "claims", "set": {"acr": "urn:example:mfa"}}'
	hlogin imfa-acr "$g" alice
	expect "multi-factor: require_claim acr holds" $PAM_SUCCESS \
	    "$LOGIN_RC" "$WORK/imfa-acr.out"
	proxy_mode '{"mode": "pass"}'
	autoapprove ""
}

# quirk_case NAME MEMBERS WANT_LOG: the device authorization answer gets
# MEMBERS; the sign-in still succeeds, and the log names the workaround.
quirk_case() {
	proxy_mode "{\"mode\": \"set_fields\", \"paths\": [\"/device/auth\"], $2}"
	hlogin "iq-$1" "$WORK/iquirk.conf" alice
	proxy_mode '{"mode": "pass"}'
	expect "provider quirk $1: the sign-in succeeds" $PAM_SUCCESS \
	    "$LOGIN_RC" "$WORK/iq-$1.out"
	has "iq-$1" "$3" "provider quirk $1: the log says what was assumed"
}

# What real providers send: an interval of 0, negative or a word is no
# interval (5 s); no usable expires_in leaves the code to timeout.
test_tolerated_device_answers() {
	conf_via_proxy "$WORK/iquirk.conf" pam-public "wait = poll" \
	    "timeout = 20"
	autoapprove alice
	quirk_case interval-0 '"set": {"interval": 0}' \
	    '^SYSLOG 4 .*interval is not a positive number up to 60; polling every 5 s'
	quirk_case interval-negative '"set": {"interval": -1}' \
	    'polling every 5 s'
	quirk_case interval-word '"set": {"interval": "soon"}' \
	    'polling every 5 s'
	quirk_case expires-missing '"unset": ["expires_in"]' \
	    '^SYSLOG 4 .*expires_in is missing or not positive; the code is taken to live 20 s'
	quirk_case expires-zero '"set": {"expires_in": 0}' \
	    'the code is taken to live 20 s'
	autoapprove ""
}

# What the application does with the PAM handle cannot make the module
# read freed memory or sign in someone nobody asked for.
test_handle_rules() {
	local f="$WORK/ihand.conf" before after
	conf_via_proxy "$f" pam-public "wait = poll" "timeout = 20"
	write_service "$WORK/pam.d" ihand "$f"
	# No conversation function: nothing is sent to the provider.
	before="$(idp_stat "$IDP_DIR" "$IDP_PORT" \
	    "s['module_requests'].get('/device/auth', 0)")"
	login_start "$WORK/ihand-noconv.out" ihand alice -N
	login_wait
	after="$(idp_stat "$IDP_DIR" "$IDP_PORT" \
	    "s['module_requests'].get('/device/auth', 0)")"
	expect "no conversation function: PAM_CONV_ERR" $PAM_CONV_ERR \
	    "$LOGIN_RC" "$WORK/ihand-noconv.out"
	expect "no conversation function: the provider is not asked" \
	    "$before" "$after"
	# An empty answer at the login prompt is not kiosk mode.
	login_start "$WORK/ihand-empty.out" ihand ""
	login_wait
	expect "an empty name at the login prompt, kiosk = no: PAM_USER_UNKNOWN" \
	    $PAM_USER_UNKNOWN "$LOGIN_RC" "$WORK/ihand-empty.out"
	grep -q '^USER .' "$WORK/ihand-empty.out" &&
	    not_ok "an empty name: no name is chosen for it" "one was" \
	    "$WORK/ihand-empty.out" || ok "an empty name: no name is chosen for it"
	# PAM_USER changed at each conversation call, under memcheck.
	if [ -n "${ASAN_PRELOAD:-}" ] || ! command -v valgrind >/dev/null; then
		echo "skip - PAM_USER changed during the conversation: needs valgrind without ASan"
		return
	fi
	autoapprove alice
	env "${NSS_ENV[@]}" valgrind -q --error-exitcode=42 \
	    --log-file="$WORK/ihand-flip.vg" "$BUILD_ABS/pamdrive" \
	    -c "$WORK/pam.d" -s ihand -u alice -U bob \
	    >"$WORK/ihand-flip.out" 2>&1 &
	LOGIN_PID=$!
	login_wait
	autoapprove ""
	cat "$WORK/ihand-flip.vg" >>"$WORK/ihand-flip.out"
	expect "PAM_USER changed at each conversation call: PAM_AUTH_ERR, and memcheck finds no error" \
	    $PAM_AUTH_ERR "$LOGIN_RC" "$WORK/ihand-flip.out"
	has ihand-flip '^SYSLOG 5 .*PAM_USER changed while the sign-in ran: refused' \
	    "PAM_USER changed: the log says so"
}
