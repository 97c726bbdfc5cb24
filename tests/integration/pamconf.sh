# Integration tests of what pam_oidc ships for a host's PAM set-up: the
# pam-auth-update profiles applied to a copy of the machine's /etc/pam.d,
# the pam.d lines applied to copies of the machine's sshd, sudo and login
# files, the sshd_config.d file and the provider examples. Sourced by
# run.sh, whose helpers and provider they use.
#
# The stacks run through real libpam with pwdrive.py, which types the
# answers. pam_unix needs an account with a known password: those cases
# run in a private mount namespace (unshare -m, as root) where copies of
# /etc/passwd and /etc/shadow are bound over the machine's. The copy of
# passwd is the machine's with the test account (PC_USER) put in place of
# any account of that name; the copy of shadow holds only root and the
# test account, with passwords made for this run. The machine's own files
# are never written.
# shellcheck shell=bash

PWPY="$(python3 -I -S -c 'import sys; print(sys.executable)' 2>/dev/null)"
PWPY="${PWPY:-python3}"

# A provider account, so that an approval can sign it in.
PC_USER=alice
PC_PW="pw-$RANDOM$RANDOM$RANDOM"
PC_ROOT_PW="root-$RANDOM$RANDOM$RANDOM"
PC_STATE=""

# pc_ready: the password cases can run (root, unshare -m, the namespace
# sees the test account and its shadow entry). Prints why not otherwise.
pc_ready() {
	local uid=20001
	if [ -n "$PC_STATE" ]; then
		[ "$PC_STATE" = ready ]
		return
	fi
	PC_STATE="not ready"
	PC_ACCT="$WORK/pc-accounts"
	if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
		PC_WHY="needs root and unshare -m"
		return 1
	fi
	install -d -m 0700 "$PC_ACCT" || return 1
	while cut -d: -f3 /etc/passwd /etc/group | grep -qx "$uid" ||
	    getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do
		uid=$((uid + 1))
	done
	grep -v "^$PC_USER:" /etc/passwd >"$PC_ACCT/passwd"
	echo "$PC_USER:x:$uid:$uid:pam_oidc test:/nonexistent:/bin/sh" \
	    >>"$PC_ACCT/passwd"
	# The group of the roll-out example, with the test account only.
	grep -v "^pam-oidc-pilot:" /etc/group >"$PC_ACCT/group"
	echo "pam-oidc-pilot:x:$uid:$PC_USER" >>"$PC_ACCT/group"
	(
		umask 077
		echo "root:$(openssl passwd -6 "$PC_ROOT_PW"):19000:0:99999:7:::"
		echo "$PC_USER:$(openssl passwd -6 "$PC_PW"):19000:0:99999:7:::"
	) >"$PC_ACCT/shadow"
	chmod 0644 "$PC_ACCT/passwd" "$PC_ACCT/group"
	chmod 0600 "$PC_ACCT/shadow"
	# What the namespace sees: another name service that answers first
	# (a cache daemon, a directory) would make these cases meaningless.
	# shellcheck disable=SC2016
	if ! pc_ns sh -c 'getent passwd "$1" | grep -q ":$2:$2:pam_oidc test:" &&
	    grep -q "^$1:\\\$6\\\$" /etc/shadow' sh "$PC_USER" "$uid" \
	    >"$WORK/pc-ready.out" 2>&1; then
		PC_WHY="the private namespace does not see the test account"
		return 1
	fi
	PC_STATE=ready
}

# pc_ns COMMAND...: COMMAND in a private mount namespace with the copies
# of passwd, group and shadow.
pc_ns() {
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount --make-rprivate / &&
	    mount --bind "$1/passwd" /etc/passwd &&
	    mount --bind "$1/group" /etc/group &&
	    mount --bind "$1/shadow" /etc/shadow && shift && exec "$@"' \
	    sh "$PC_ACCT" "$@"
}

# pc_start OUT CONFDIR SERVICE USER [--fail-conv] [ANSWER...]: pwdrive.py
# in the namespace, in the background; LOGIN_PID is its pid.
pc_start() {
	local out="$1" dir="$2" svc="$3" user="$4" flag=""
	shift 4
	if [ "${1:-}" = --fail-conv ]; then
		flag=--fail-conv
		shift
	fi
	# Under ASan its runtime comes first, and libcrypt with it: ASan's
	# crypt interceptor finds the real crypt_r only in a library loaded
	# at start, not in the one pam_unix brings in later (a call to
	# address 0). What the interpreter holds at exit is not a leak of
	# the module.
	printf 'leak:_PyObject_Malloc\nleak:_PyObject_Realloc\n' \
	    >"$WORK/pwdrive.supp"
	: >"$out"
	pc_ns env LD_PRELOAD="${ASAN_PRELOAD:+$ASAN_PRELOAD libcrypt.so.1}" \
	    LSAN_OPTIONS="suppressions=$WORK/pwdrive.supp" \
	    "$PWPY" -I -S "$ROOT/tests/integration/pwdrive.py" $flag "$dir" \
	    "$svc" "$user" "$@" >"$out" 2>&1 &
	LOGIN_PID=$!
}

# pc_login OUT CONFDIR SERVICE USER WHO [ANSWER...]: one sign-in; WHO is
# ACCOUNT:approve or ACCOUNT:deny at the provider, or none (nobody acts).
pc_login() {
	local out="$1" dir="$2" svc="$3" user="$4" who="$5" code
	shift 5
	pc_start "$out" "$dir" "$svc" "$user" "$@"
	if [ "$who" != none ] && code="$(wait_code "$out")"; then
		approve "$code" "${who%%:*}" "${who#*:}" ||
		    echo "approve.sh failed" >>"$out"
	fi
	login_wait
}

# pc_expect NAME WANT_RC PROMPT OUT [TEXT]: pam_authenticate gave
# WANT_RC, a password prompt (echo off, "Password") was shown (PROMPT yes)
# or not, and the person was shown TEXT.
pc_expect() {
	local got=no
	grep -A1 '^MSG 1$' "$4" | grep -q 'assword' && got=yes
	if [ -n "${5:-}" ] && ! grep -qF -- "$5" "$4"; then
		not_ok "$1" "'$5' not shown" "$4"
	elif [ "$LOGIN_RC" = "$2" ] && [ "$got" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "want code $2 and password prompt $3, got code $LOGIN_RC and prompt $got" \
		    "$4"
	fi
}

# pc_conf FILE up|down|broken: the module's config for these stacks:
# the provider, a closed port, or a file the module refuses.
pc_conf() {
	write_conf "$1" pam-public "wait = poll" "http_timeout = 3"
	case "$2" in
	down)
		sed -i "s|^issuer = .*|issuer = https://127.0.0.1:$(free_port)|" \
		    "$1"
		;;
	broken) echo "no_such_key = 1" >>"$1" ;;
	esac
}

# pc_stack DIR CONF FILE...: DIR holds the machine's common-* files and
# FILE..., with pam_oidc.so made the built module reading CONF. libpam
# looks for an @include's file in /etc/pam.d even with another confdir:
# the includes name DIR's files by their full path.
pc_stack() {
	local dir="$1" conf="$2" f
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	cp /etc/pam.d/common-* "$dir/"
	for f in "$@"; do
		cp "$f" "$dir/"
	done
	sed -i -e "s|[^ 	]*pam_oidc\.so|$BUILD_ABS/pam_oidc.so config=$conf|" \
	    -e "s|^@include[[:space:]]\+\([^/]\)|@include $dir/\1|" "$dir"/*
}

# pc_pam_auth_update PROFILE: a copy of the machine's PAM set-up in
# WORK/pau-PROFILE, with PROFILE enabled; its common-auth is
# WORK/pau-PROFILE.common-auth.
pc_pam_auth_update() {
	local r="$WORK/pau-$1"
	rm -rf "$r"
	mkdir -p "$r/etc" "$r/usr/share" "$r/var/lib/pam"
	cp -a /etc/pam.d "$r/etc/pam.d"
	cp -a /usr/share/pam-configs "$r/usr/share/pam-configs"
	cp -a /var/lib/pam/. "$r/var/lib/pam/" 2>/dev/null
	rm -f "$r"/usr/share/pam-configs/oidc*
	cp "$ROOT"/conf/pam-configs/oidc* "$r/usr/share/pam-configs/"
	DEBIAN_FRONTEND=noninteractive pam-auth-update --root "$r" \
	    --enable "$1" --force >"$WORK/pau-$1.out" 2>&1 || return 1
	cp "$r/etc/pam.d/common-auth" "$WORK/pau-$1.common-auth"
}

# line_of FILE ERE: the number of the first line that matches, or 0.
line_of() {
	grep -nE -- "$2" "$1" | head -n 1 | cut -d: -f1 | grep . || echo 0
}

# The default profile: the sign-in through the provider comes first; only
# its success, a denial (or wrong identity) and an interruption decide.
# Anything else (provider unreachable, root and system accounts, a broken
# configuration) goes on to the password.
test_pam_auth_update_profile() {
	local ca="$WORK/pau-oidc.common-auth" d="$WORK/pau-oidc.d" o u nouser
	local conf="$WORK/pau.conf"
	if ! command -v pam-auth-update >/dev/null 2>&1; then
		echo "skip - pam-auth-update profile: pam-auth-update is not installed"
		return
	fi
	if ! pc_pam_auth_update oidc; then
		not_ok "pam-auth-update --enable oidc" "failed" \
		    "$WORK/pau-oidc.out"
		return
	fi
	o="$(line_of "$ca" '^auth[[:space:]]+\[success=[0-9]+ auth_err=die conv_err=die cred_err=die default=ignore\][[:space:]]+pam_oidc\.so')"
	u="$(line_of "$ca" '^auth[[:space:]].*[[:space:]]pam_unix\.so')"
	if [ "$o" -gt 0 ] && [ "$u" -gt "$o" ]; then
		ok "profile oidc: common-auth asks pam_oidc before pam_unix, falling through except on success, denial or interruption"
	else
		not_ok "profile oidc: common-auth" \
		    "no pam_oidc line with the new controls before pam_unix" "$ca"
		return
	fi
	if ! pc_ready; then
		echo "skip - profile oidc through libpam: $PC_WHY"
		return
	fi
	printf '@include common-auth\n' >"$WORK/pau-svc"
	cp "$ca" "$WORK/common-auth"
	pc_stack "$d" "$conf" "$WORK/pau-svc" "$WORK/common-auth"

	pc_conf "$conf" down
	pc_login "$WORK/pau-down.out" "$d" pau-svc "$PC_USER" none "$PC_PW"
	pc_expect "profile oidc, provider stopped: pam_unix asks, the right password is PAM_SUCCESS" \
	    $PAM_SUCCESS yes "$WORK/pau-down.out"
	pc_login "$WORK/pau-wrong.out" "$d" pau-svc "$PC_USER" none "x$PC_PW"
	pc_expect "profile oidc, provider stopped: a wrong password is PAM_AUTH_ERR" \
	    $PAM_AUTH_ERR yes "$WORK/pau-wrong.out"
	pc_login "$WORK/pau-root.out" "$d" pau-svc root none "$PC_ROOT_PW"
	pc_expect "profile oidc, provider stopped: root's password is PAM_SUCCESS" \
	    $PAM_SUCCESS yes "$WORK/pau-root.out"

	pc_conf "$conf" broken
	pc_login "$WORK/pau-broken.out" "$d" pau-svc "$PC_USER" none "$PC_PW"
	pc_expect "profile oidc, a configuration the module refuses: the password still works" \
	    $PAM_SUCCESS yes "$WORK/pau-broken.out"

	pc_conf "$conf" up
	nouser="nouser-pc$$"
	while grep -q "^$nouser:" "$PC_ACCT/passwd" ||
	    getent passwd "$nouser" >/dev/null; do
		nouser="${nouser}x"
	done
	# A name with no local account goes through the same sign-in as a
	# known one and ends as a mismatch does, so the screen tells no names
	# apart; there is no account whose password it could lock out.
	pc_login "$WORK/pau-nouser.out" "$d" pau-svc "$nouser" alice:approve \
	    "$PC_PW"
	pc_expect "profile oidc, unknown user: the same sign-in, refused as a mismatch (PAM_AUTH_ERR)" \
	    $PAM_AUTH_ERR no "$WORK/pau-nouser.out" "is not this account"
	# Root is the provider's to decide only when system_accounts says so.
	pc_login "$WORK/pau-root-up.out" "$d" pau-svc root none "$PC_ROOT_PW"
	pc_expect "profile oidc, provider up: root's password is asked and PAM_SUCCESS" \
	    $PAM_SUCCESS yes "$WORK/pau-root-up.out"
	grep -q '^MSG 4$' "$WORK/pau-root-up.out" &&
	    not_ok "profile oidc, root: no code is shown" "shown" \
	    "$WORK/pau-root-up.out" || ok "profile oidc, root: no code is shown"
	pc_login "$WORK/pau-approve.out" "$d" pau-svc "$PC_USER" "$PC_USER:approve"
	pc_expect "profile oidc, approved at the provider: PAM_SUCCESS, no password prompt" \
	    $PAM_SUCCESS no "$WORK/pau-approve.out"
	pc_login "$WORK/pau-deny.out" "$d" pau-svc "$PC_USER" "$PC_USER:deny" "$PC_PW"
	pc_expect "profile oidc, denied at the provider: PAM_AUTH_ERR, no password prompt" \
	    $PAM_AUTH_ERR no "$WORK/pau-deny.out" "The sign-in was denied"
	pc_login "$WORK/pau-mismatch.out" "$d" pau-svc "$PC_USER" bob:approve \
	    "$PC_PW"
	pc_expect "profile oidc, another identity approved: PAM_AUTH_ERR, no password prompt" \
	    $PAM_AUTH_ERR no "$WORK/pau-mismatch.out" "is not this account"
	pc_start "$WORK/pau-conv.out" "$d" pau-svc "$PC_USER" --fail-conv
	login_wait
	expect "profile oidc, the sign-in interrupted (PAM_CONV_ERR): no fall back to the password" \
	    $PAM_CONV_ERR "$LOGIN_RC" "$WORK/pau-conv.out"
}

# The identity-provider-only profile: no password when the provider cannot
# be asked, except root's.
test_pam_auth_update_profile_only() {
	local ca="$WORK/pau-oidc-only.common-auth" d="$WORK/pau-only.d" o s u
	local conf="$WORK/pau-only.conf"
	command -v pam-auth-update >/dev/null 2>&1 || return 0
	if ! pc_pam_auth_update oidc-only; then
		not_ok "pam-auth-update --enable oidc-only" "failed" \
		    "$WORK/pau-oidc-only.out"
		return
	fi
	s="$(line_of "$ca" '^auth[[:space:]]+\[success=1 default=ignore\][[:space:]]+pam_succeed_if\.so quiet uid eq 0$')"
	o="$(line_of "$ca" '^auth[[:space:]]+\[success=[0-9]+ user_unknown=ignore default=die\][[:space:]]+pam_oidc\.so')"
	u="$(line_of "$ca" '^auth[[:space:]].*[[:space:]]pam_unix\.so')"
	if [ "$s" -gt 0 ] && [ "$o" = $((s + 1)) ] && [ "$u" = $((o + 1)) ]; then
		ok "profile oidc-only: root skips pam_oidc; pam_oidc, then pam_unix"
	else
		not_ok "profile oidc-only: common-auth" "lines not in place" "$ca"
		return
	fi
	if ! pc_ready; then
		echo "skip - profile oidc-only through libpam: $PC_WHY"
		return
	fi
	printf '@include common-auth\n' >"$WORK/pau-svc"
	cp "$ca" "$WORK/common-auth"
	pc_stack "$d" "$conf" "$WORK/pau-svc" "$WORK/common-auth"
	pc_conf "$conf" down
	pc_login "$WORK/only-down.out" "$d" pau-svc "$PC_USER" none "$PC_PW"
	pc_expect "profile oidc-only, provider stopped: PAM_AUTHINFO_UNAVAIL, no password prompt" \
	    $PAM_AUTHINFO_UNAVAIL no "$WORK/only-down.out"
	pc_login "$WORK/only-root.out" "$d" pau-svc root none "$PC_ROOT_PW"
	pc_expect "profile oidc-only, provider stopped: root's password is PAM_SUCCESS" \
	    $PAM_SUCCESS yes "$WORK/only-root.out"
	pc_conf "$conf" up
	pc_login "$WORK/only-approve.out" "$d" pau-svc "$PC_USER" "$PC_USER:approve"
	pc_expect "profile oidc-only, approved at the provider: PAM_SUCCESS" \
	    $PAM_SUCCESS no "$WORK/only-approve.out"
}

# snippet_apply SNIPPET FILE: what conf/pam.d/README.md tells the
# administrator to run: each auth line right before "@include
# common-auth", each account line right before "@include common-account".
snippet_apply() {
	local type rest
	grep -E '^(auth|account)[[:space:]]' "$1" | while read -r type rest; do
		sed -i "/^@include[[:space:]]\+common-$type[[:space:]]*\$/i $type $rest" \
		    "$2"
	done
}

# snippet_check SVC: the lines applied to a copy of the machine's
# /etc/pam.d/SVC: every line of the original is kept, in order; the only
# new lines are the snippet's, each right before its @include.
snippet_check() {
	local svc="$1" orig="/etc/pam.d/$1" new="$WORK/snip-$1"
	local snip="$ROOT/conf/pam.d/$1.snippet" want got bad=""
	cp "$orig" "$new"
	snippet_apply "$snip" "$new"
	want="$(grep -E '^(auth|account)[[:space:]]' "$snip" |
	    sed -E 's/^(auth|account)[[:space:]]+/\1 /')"
	# Lines that are not in the original, in order.
	got="$(diff "$orig" "$new" | sed -n 's/^> //p')"
	diff "$orig" "$new" | grep -q '^<' && bad="a line of the original changed"
	[ "$got" = "$want" ] || bad="${bad:+$bad; }added lines differ"
	if ! awk '/pam_oidc\.so/ { t = $1; getline n;
		if (n !~ "^@include[ \t]+common-" t "[ \t]*$") bad = 1 }
		END { exit bad }' "$new"; then
		bad="${bad:+$bad; }a pam_oidc line is not right before its @include"
	fi
	if [ -z "$bad" ]; then
		ok "pam.d/$svc.snippet on the machine's /etc/pam.d/$svc: every line kept, ours before the @includes"
	else
		diff "$orig" "$new" >"$WORK/snip-$svc.diff"
		not_ok "pam.d/$svc.snippet applied" "$bad" "$WORK/snip-$svc.diff"
	fi
}

# The lines of sudo.snippet and login.snippet in the machine's own files,
# through libpam: approval signs in without a password, a denial refuses,
# and with the provider stopped the password of common-auth works.
snippet_drive() {
	local svc="$1" d="$WORK/snip-$1.d" conf="$WORK/snip-$1.conf"
	cp "$WORK/snip-$svc" "$WORK/$svc"
	pc_stack "$d" "$conf" "$WORK/$svc"
	pc_conf "$conf" up
	pc_login "$WORK/snip-$svc-approve.out" "$d" "$svc" "$PC_USER" "$PC_USER:approve"
	pc_expect "/etc/pam.d/$svc with our lines, approved: PAM_SUCCESS, no password prompt" \
	    $PAM_SUCCESS no "$WORK/snip-$svc-approve.out"
	pc_login "$WORK/snip-$svc-deny.out" "$d" "$svc" "$PC_USER" "$PC_USER:deny" \
	    "$PC_PW"
	pc_expect "/etc/pam.d/$svc with our lines, denied: PAM_AUTH_ERR, no password prompt" \
	    $PAM_AUTH_ERR no "$WORK/snip-$svc-deny.out" "The sign-in was denied"
	pc_conf "$conf" down
	pc_login "$WORK/snip-$svc-down.out" "$d" "$svc" "$PC_USER" none \
	    "$PC_PW"
	pc_expect "/etc/pam.d/$svc with our lines, provider stopped: the password is PAM_SUCCESS" \
	    $PAM_SUCCESS yes "$WORK/snip-$svc-down.out"
}

# The roll-out line of sshd.snippet, turned on: pam_oidc only for the
# members of pam-oidc-pilot; everyone else gets the password at once, even
# with the provider up.
snippet_rollout() {
	local d="$WORK/snip-rollout.d" conf="$WORK/snip-rollout.conf"
	sed -E 's/^#(auth .*pam_succeed_if\.so .*ingroup pam-oidc-pilot)$/\1/' \
	    "$ROOT/conf/pam.d/sshd.snippet" >"$WORK/rollout.snippet"
	cp /etc/pam.d/sshd "$WORK/sshd"
	snippet_apply "$WORK/rollout.snippet" "$WORK/sshd"
	if [ "$(grep -c 'pam_oidc.so\|pam-oidc-pilot' "$WORK/sshd")" != 3 ]; then
		not_ok "sshd.snippet roll-out line" "not applied" "$WORK/sshd"
		return
	fi
	pc_stack "$d" "$conf" "$WORK/sshd"
	# Bounded, should pam_oidc run for root after all.
	pc_conf "$conf" up
	echo "timeout = 30" >>"$conf"
	pc_login "$WORK/rollout-member.out" "$d" sshd "$PC_USER" \
	    "$PC_USER:approve"
	pc_expect "sshd.snippet roll-out line: a member of pam-oidc-pilot signs in through the provider" \
	    $PAM_SUCCESS no "$WORK/rollout-member.out" "Sign-in for $PC_USER to sshd"
	pc_login "$WORK/rollout-other.out" "$d" sshd root none "$PC_ROOT_PW"
	if grep -q 'Code:' "$WORK/rollout-other.out"; then
		not_ok "sshd.snippet roll-out line: others skip pam_oidc" \
		    "root was shown a code" "$WORK/rollout-other.out"
	else
		pc_expect "sshd.snippet roll-out line: someone else (root) gets the password at once" \
		    $PAM_SUCCESS yes "$WORK/rollout-other.out"
	fi
}

test_pam_d_snippets() {
	local svc
	for svc in sshd sudo login; do
		if [ ! -f "/etc/pam.d/$svc" ]; then
			echo "skip - pam.d/$svc.snippet: this machine has no /etc/pam.d/$svc"
			continue
		fi
		snippet_check "$svc"
	done
	if ! pc_ready; then
		echo "skip - pam.d lines through libpam: $PC_WHY"
		return
	fi
	for svc in sudo login; do
		[ -f "$WORK/snip-$svc" ] || continue
		if [ "$svc" = login ] &&
		    { [ -e /etc/nologin ] || [ -e /run/nologin ]; }; then
			echo "skip - pam.d/login through libpam: /etc/nologin or /run/nologin exists"
			continue
		fi
		snippet_drive "$svc"
	done
	[ -f /etc/pam.d/sshd ] && snippet_rollout
}

# conf/sshd_config.d/pam_oidc.conf in the machine's sshd_config, as sshd
# -T sees it for three users: the Match examples require the sign-in for
# a group's members and for the accounts named; everyone else keeps
# public keys and any method; passwords come only through PAM.
test_sshd_config_snippet() {
	local d="$WORK/sshdc" u want got bad=""
	if [ ! -x /usr/sbin/sshd ] || [ ! -f /etc/ssh/sshd_config ]; then
		echo "skip - sshd_config.d/pam_oidc.conf: no sshd here"
		return
	fi
	if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null ||
	    ! getent passwd sshd >/dev/null; then
		echo "skip - sshd_config.d/pam_oidc.conf: needs root, unshare -m and sshd's privilege separation user"
		return
	fi
	mkdir -p "$d/conf.d"
	# The examples as an administrator turns them on: uncommented.
	sed -E 's/^#(Match (Group|User) )/\1/; /^Match/{n; s/^#\t/\t/}' \
	    "$ROOT/conf/sshd_config.d/pam_oidc.conf" >"$d/conf.d/pam_oidc.conf"
	{
		echo "Include $d/conf.d/*.conf"
		# After the Include: for everyone, unless a Match block of the
		# included file ran on.
		echo "MaxSessions 7"
		echo "HostKey $d/hostkey"
		grep -v '^[[:space:]]*Include[[:space:]]' /etc/ssh/sshd_config
	} >"$d/sshd_config"
	ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey" || return
	{
		echo "root:x:0:0:root:/root:/bin/bash"
		getent passwd sshd
		echo "pcpilot:x:3001:3001::/nonexistent:/bin/sh"
		echo "alice:x:3002:3002::/nonexistent:/bin/sh"
		echo "carol:x:3003:3003::/nonexistent:/bin/sh"
	} >"$d/passwd"
	printf 'root:x:0:\npam-oidc-pilot:x:3100:pcpilot\npcpilot:x:3001:\nalice:x:3002:\ncarol:x:3003:\n' \
	    >"$d/group"
	for u in pcpilot:keyboard-interactive alice:keyboard-interactive \
	    carol:any; do
		# shellcheck disable=SC2016
		unshare -m sh -c 'mount --make-rprivate / &&
		    mount -t tmpfs pam_oidc-it-run /run && mkdir /run/sshd &&
		    exec "$@"' sh env LD_PRELOAD=libnss_wrapper.so \
		    NSS_WRAPPER_PASSWD="$d/passwd" NSS_WRAPPER_GROUP="$d/group" \
		    /usr/sbin/sshd -T -f "$d/sshd_config" \
		    -C "user=${u%%:*},host=client.example,addr=127.0.0.1" \
		    >"$d/${u%%:*}.out" 2>&1
		want="usepam yes|kbdinteractiveauthentication yes|passwordauthentication no|pubkeyauthentication yes|logingracetime 360|maxsessions 7|authenticationmethods ${u#*:}"
		got="$(grep -E "^($want)$" "$d/${u%%:*}.out" | sort |
		    tr '\n' '|')"
		want="$(tr '|' '\n' <<<"$want" | sort | tr '\n' '|')"
		[ "$got" = "$want" ] ||
		    bad="$bad ${u%%:*} (got ${got:-nothing})"
	done
	if [ -z "$bad" ]; then
		ok "sshd_config.d/pam_oidc.conf: the Match examples require the sign-in for the group and the named users only; public keys stay on"
	else
		cat "$d"/*.out >"$d/all.out"
		not_ok "sshd_config.d/pam_oidc.conf with sshd -T" "$bad" \
		    "$d/all.out"
	fi
}

# Each provider example loads as the module would load it (pam-oidc check
# --offline: syntax, keys, values, permissions), as it is and with each
# commented key line turned on in turn. The examples are installed 0644;
# a file that names a secret must not be readable by others, so each is
# checked as a private copy, with a secret file where it names one.
test_examples_pass_offline_check() {
	local f name n i line key bad="" out="$WORK/examples.out"
	local repeat=" require_claim role_map pin_sub "
	printf 'example-secret\n' >"$WORK/example.secret"
	chmod 0600 "$WORK/example.secret"
	: >"$out"
	for f in "$ROOT"/conf/examples/*.conf; do
		name="$(basename "$f")"
		sed "s|^client_secret_file = .*|client_secret_file = $WORK/example.secret|" \
		    "$f" >"$WORK/ex-$name"
		chmod 0600 "$WORK/ex-$name"
		"$BUILD_ABS/pam-oidc" check --offline --config "$WORK/ex-$name" \
		    >>"$out" 2>&1 || bad="$bad $name"
		n=0
		while IFS= read -r i; do
			line="$(sed -n "${i}p" "$WORK/ex-$name")"
			key="${line#\#}"
			key="${key%% *}"
			# A key that may be given once replaces the active line.
			{
				if [[ "$repeat" == *" $key "* ]]; then
					cat "$WORK/ex-$name"
				else
					grep -vE "^$key = " "$WORK/ex-$name"
				fi
				echo "${line#\#}"
			} >"$WORK/ex-var.conf"
			chmod 0600 "$WORK/ex-var.conf"
			"$BUILD_ABS/pam-oidc" check --offline --config \
			    "$WORK/ex-var.conf" >>"$out" 2>&1 ||
			    bad="$bad $name:$i"
			n=$((n + 1))
		done < <(grep -nE '^#[a-z_]+ = ' "$WORK/ex-$name" | cut -d: -f1)
		echo "    $name: as shipped and $n commented key line(s)" >>"$out"
	done
	if [ -z "$bad" ]; then
		ok "every provider example passes pam-oidc check --offline, commented keys too"
	else
		not_ok "provider examples: pam-oidc check --offline" \
		    "failed:$bad" "$out"
	fi
}
