# What the person sees, through real libpam: the language (from the PAM
# environment, the application's locale or the language key), the
# terminal's character set, the time left, and the Enter loop.
# Sourced by run.sh, which provides WORK, BUILD_ABS, the provider and
# ok/not_ok/expect.
# shellcheck shell=bash

UX_DE_PROMPT="Anmeldung als alice bei"
UX_JA_PROMPT="alice としてサインイン"

# ux_conf FILE [lines...]: a configuration that reads the catalogs the
# build made.
ux_conf() {
	local f="$1"
	shift
	write_conf "$f" pam-public "$@"
	grep -q '^locale_dir' "$f" ||
	    echo "locale_dir = $BUILD_ABS/locale" >>"$f"
}

# ux_code OUT: the user code once shown, in any language: the provider's
# codes are XXXX-XXXX in its base-20 alphabet.
ux_code() {
	local i code
	for ((i = 0; i < 300; i++)); do
		code="$(grep -oE '[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}' \
		    "$1" | head -n 1)"
		if [ -n "$code" ]; then
			echo "$code"
			return 0
		fi
		kill -0 "$LOGIN_PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# ux_login NAME USER APPROVER MODE LOCALE [conf lines...]: one login with
# LANG=LOCALE in the PAM environment (as a login program passes it);
# APPROVER approves or denies (MODE none: nobody does). LOGIN_RC is set.
ux_login() {
	local name="$1" user="$2" who="$3" mode="$4" locale="$5" code
	shift 5
	ux_conf "$WORK/$name.conf" "$@"
	write_service "$WORK/pam.d" "$name" "$WORK/$name.conf"
	login_start "$WORK/$name.out" "$name" "$user" -E "LANG=$locale"
	if [ "$mode" != none ] && code="$(ux_code "$WORK/$name.out")"; then
		approve "$code" "$who" "$mode" ||
		    echo "approve.sh failed" >>"$WORK/$name.out"
	fi
	login_wait
}

# has NAME TEXT: the conversation of login NAME shows TEXT.
has() {
	grep -qF -- "$2" "$WORK/$1.out"
}

# The prompt, the denial, the account check's refusal and the expiry, in
# German and Japanese; log lines stay English.
ux_language() {
	local l="$1" locale="$2" prompt="$3" denied="$4" role="$5" expired="$6"
	ux_login "ux-$l" alice alice approve "$locale" "wait = poll"
	expect "$l: approved login succeeds" $PAM_SUCCESS "$LOGIN_RC" \
	    "$WORK/ux-$l.out"
	if has "ux-$l" "$prompt" && ! has "ux-$l" "Sign-in for alice"; then
		ok "$l: the sign-in message is in the person's language ($locale)"
	else
		not_ok "$l: translated sign-in message" "'$prompt' missing" \
		    "$WORK/ux-$l.out"
	fi
	if grep -q '^SYSLOG .*user alice authenticated (sub ' \
	    "$WORK/ux-$l.out"; then
		ok "$l: the log stays English"
	else
		not_ok "$l: English log line" "missing" "$WORK/ux-$l.out"
	fi
	ux_login "ux-$l-deny" alice alice deny "$locale" "wait = poll"
	expect "$l: denied login gives PAM_AUTH_ERR" $PAM_AUTH_ERR \
	    "$LOGIN_RC" "$WORK/ux-$l-deny.out"
	has "ux-$l-deny" "$denied" &&
	    ok "$l: the denial is translated: $denied" ||
	    not_ok "$l: translated denial" "missing" "$WORK/ux-$l-deny.out"
	ux_login "ux-$l-role" dave dave approve "$locale" "wait = poll" \
	    "role_claim = roles" "allowed_roles = admin"
	grep -q '^RESULT acct=Permission denied' "$WORK/ux-$l-role.out" &&
	    has "ux-$l-role" "$role" &&
	    ok "$l: the account check's refusal is translated" ||
	    not_ok "$l: translated refusal by allowed_roles" "missing" \
	    "$WORK/ux-$l-role.out"
	use_short
	ux_login "ux-$l-exp" alice alice none "$locale" "wait = poll"
	use_main
	expect "$l: a code nobody approves expires: PAM_AUTH_ERR" \
	    $PAM_AUTH_ERR "$LOGIN_RC" "$WORK/ux-$l-exp.out"
	grep -qE -- "$expired" "$WORK/ux-$l-exp.out" &&
	    ok "$l: the expiry is translated" ||
	    not_ok "$l: translated expiry" "/$expired/ missing" \
	    "$WORK/ux-$l-exp.out"
}

# A catalog that lacks a message: that message in English, the rest
# translated.
ux_partial_catalog() {
	local dir="$WORK/partial-locale"
	mkdir -p "$dir/de/LC_MESSAGES"
	cat >"$WORK/partial.po" <<'PO'
msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\n"

msgid "The sign-in was denied."
msgstr "Die Anmeldung wurde abgelehnt."
PO
	msgfmt --check -o "$dir/de/LC_MESSAGES/pam_oidc.mo" "$WORK/partial.po"
	ux_login ux-partial alice alice deny de_DE.UTF-8 "wait = poll" \
	    "locale_dir = $dir"
	if has ux-partial "Die Anmeldung wurde abgelehnt." &&
	    has ux-partial "Sign-in for alice to ux-partial on"; then
		ok "a catalog without a message: that one in English, the rest translated"
	else
		not_ok "partial catalog" "not as expected" "$WORK/ux-partial.out"
	fi
}

# no_high_bytes NAME: no byte above 0x7f in the conversation of NAME.
no_high_bytes() {
	! sed -n '/^MSG /,/^END$/p' "$WORK/$1.out" | LC_ALL=C grep -q $'[\x80-\xff]'
}

# A C-locale terminal gets ASCII only: no QR code, one line saying so.
ux_terminal() {
	local code saved
	ux_login ux-c alice alice approve C "wait = poll" "language = de"
	expect "LANG=C: login succeeds" $PAM_SUCCESS "$LOGIN_RC" \
	    "$WORK/ux-c.out"
	if no_high_bytes ux-c &&
	    has ux-c "No QR code: this terminal cannot show one." &&
	    has ux-c "Code:  "; then
		ok "LANG=C: no byte above 0x7f reaches the terminal; the code, no QR"
	else
		not_ok "LANG=C: ASCII only" "a byte above 0x7f, or no note" \
		    "$WORK/ux-c.out"
	fi
	ux_login ux-utf8 alice alice approve C.UTF-8 "wait = poll"
	if has ux-utf8 "█" && ! has ux-utf8 "No QR code"; then
		ok "LANG=C.UTF-8: the QR code in half blocks"
	else
		not_ok "LANG=C.UTF-8: QR code" "missing" "$WORK/ux-utf8.out"
	fi
	# An invalid name is ignored: English, not a path.
	ux_login ux-bad alice alice approve "../../../tmp/x" "wait = poll"
	has ux-bad "Sign-in for alice to ux-bad on" &&
	    ok "an invalid locale name in the PAM environment is ignored" ||
	    not_ok "invalid locale name" "not English" "$WORK/ux-bad.out"
	# No PAM environment: the application's locale decides.
	ux_conf "$WORK/ux-app.conf" "wait = poll"
	write_service "$WORK/pam.d" ux-app "$WORK/ux-app.conf"
	saved=("${NSS_ENV[@]}")
	NSS_ENV=("LC_ALL=C.UTF-8" "${saved[@]}")
	login_start "$WORK/ux-app.out" ux-app alice
	NSS_ENV=("${saved[@]}")
	code="$(ux_code "$WORK/ux-app.out")" && approve "$code" alice approve
	login_wait
	if [ "$LOGIN_RC" = $PAM_SUCCESS ] && has ux-app "█"; then
		ok "the application's locale (C.UTF-8) gives the QR code"
	else
		not_ok "application's locale" "no QR code" "$WORK/ux-app.out"
	fi
}

# The expiry message comes when the provider no longer takes the code:
# approving right after it is refused by the provider.
ux_expiry_matches_provider() {
	local code i r
	use_short
	ux_conf "$WORK/ux-end.conf" "wait = poll"
	write_service "$WORK/pam.d" ux-end "$WORK/ux-end.conf"
	login_start "$WORK/ux-end.out" ux-end alice
	use_main
	code="$(ux_code "$WORK/ux-end.out")"
	for ((i = 0; i < 600; i++)); do
		has ux-end "The code expired" && break
		sleep 0.02
	done
	# The provider's own device pages, as the person would use them.
	r=0
	bash "$IDP/approve.sh" "$UX_SHORT_DIR" "$UX_SHORT_PORT" "$code" alice \
	    approve >"$WORK/ux-end.approve" 2>&1 || r=$?
	login_wait
	expect "expired code: PAM_AUTH_ERR" $PAM_AUTH_ERR "$LOGIN_RC" \
	    "$WORK/ux-end.out"
	cat "$WORK/ux-end.approve" >>"$WORK/ux-end.out"
	if has ux-end "The code expired" && [ "$r" != 0 ]; then
		ok "'The code expired' comes when the provider no longer takes the code"
	else
		not_ok "expiry message matches the provider" \
		    "the provider still took the code after the message" \
		    "$WORK/ux-end.out"
	fi
}

# wait = poll: about to expire, then the time allowed (timeout) is up.
ux_warning_and_time_up() {
	ux_login ux-warn alice alice none C.UTF-8 "wait = poll" "timeout = 24"
	expect "timeout 24 s, nobody approves: PAM_AUTH_ERR" $PAM_AUTH_ERR \
	    "$LOGIN_RC" "$WORK/ux-warn.out"
	if grep -qE 'Valid until [0-9]{2}:[0-9]{2} \(less than a minute' \
	    "$WORK/ux-warn.out" &&
	    grep -qE '^The code expires at [0-9]{2}:[0-9]{2}, in [0-9]+ seconds\.$' \
		"$WORK/ux-warn.out" &&
	    grep -qE '^Time is up: the sign-in was not approved by [0-9:]+\.$' \
		"$WORK/ux-warn.out" &&
	    [ "$(grep -n 'The code expires at' "$WORK/ux-warn.out" | cut -d: -f1)" \
		-lt "$(grep -n 'Time is up' "$WORK/ux-warn.out" | cut -d: -f1)" ]; then
		ok "wait=poll: valid until, then about to expire, then time is up"
	else
		not_ok "wait=poll notices" "missing or out of order" \
		    "$WORK/ux-warn.out"
	fi
}

# wait = enter, Enter before the approval: "not approved yet", the time
# left and the prompt again; never a poll sooner than the interval.
ux_enter_before_approval() {
	local code n i
	idp_reset "$IDP_DIR" "$IDP_PORT"
	touch "$WORK/ux-enter.go"
	ux_conf "$WORK/ux-enter.conf" "wait = enter"
	write_service "$WORK/pam.d" ux-enter "$WORK/ux-enter.conf"
	login_start "$WORK/ux-enter.out" ux-enter alice -e "$WORK/ux-enter.go"
	code="$(ux_code "$WORK/ux-enter.out")"
	for ((i = 0; i < 300; i++)); do
		has ux-enter "Not approved yet." && break
		sleep 0.05
	done
	approve "$code" alice approve
	login_wait
	expect "wait=enter, Enter before approving, then approve: PAM_SUCCESS" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/ux-enter.out"
	n="$(grep -c '^MSG 1$' "$WORK/ux-enter.out")"
	if has ux-enter "Not approved yet. The code is valid until " &&
	    [ "$n" -ge 2 ]; then
		ok "wait=enter: Enter too early says not approved yet and asks again ($n prompts)"
	else
		not_ok "wait=enter: asked again" "$n prompt(s)" \
		    "$WORK/ux-enter.out"
	fi
	expect "wait=enter: prompts again and again, yet no early poll" 0 \
	    "$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['early_polls']")"
	rm -f "$WORK/ux-enter.go"
}

# The provider whose codes live 5 s.
use_short() {
	IDP_DIR="$UX_SHORT_DIR" IDP_PORT="$UX_SHORT_PORT" IDP_URL="$UX_SHORT_URL"
}

test_person_screen() {
	idp_start "$WORK/idp-ux" IDP_INTERVAL=1 IDP_DEVICE_TTL=5
	UX_SHORT_DIR="$IDP_DIR" UX_SHORT_PORT="$IDP_PORT" UX_SHORT_URL="$IDP_URL"
	use_main
	autoapprove ""
	ux_language de de_DE.UTF-8 "$UX_DE_PROMPT" \
	    "Die Anmeldung wurde abgelehnt." \
	    "Ihre Rolle beim Identitätsanbieter erlaubt keinen Zugang" \
	    "Der Code ist um [0-9:]+ Uhr abgelaufen"
	ux_language ja ja_JP.UTF-8 "$UX_JA_PROMPT" "サインインは拒否されました。" \
	    "このシステムにアクセスできません" \
	    "コードは [0-9:]+ に期限切れになりました"
	ux_partial_catalog
	ux_terminal
	ux_expiry_matches_provider
	ux_warning_and_time_up
	ux_enter_before_approval
	idp_stop "$WORK/idp-ux"
}
