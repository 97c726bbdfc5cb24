# First SSH sign-in of a person the host has never seen, through the NSS
# module (libnss_oidc), with the machine's real sshd. Sourced by run.sh
# inside its private mount namespace, after its own helpers (pane_start,
# approve, ok, not_ok, mark, evidence...) are defined.
#
# setup: the built module is put where glibc finds NSS modules by an
# overlay of the library directory, and /var/lib by an overlay whose
# upper layer is in the work directory; nsswitch.conf (the namespace's
# copy) gets "oidc" after the sources it has. Nothing of it is visible
# outside the namespace.
# shellcheck shell=bash

NSS_NAME=gina # at the test provider: role user
NSS_STORE=/var/lib/pam_oidc/users

setup_nss() {
	local lib
	lib="$(dirname "$(readlink -f \
	    "$(find /lib /usr/lib -name libnss_files.so.2 | head -n 1)")")"
	mkdir -p "$WORK/nsslib" "$WORK/varlib-up" "$WORK/varlib-work" &&
	    cp "$BUILD_ABS/libnss_oidc.so.2" "$WORK/nsslib/" || return 1
	mount -t overlay -o "lowerdir=$WORK/nsslib:$lib" pam_oidc-e2e-nsslib \
	    "$lib" || return 1
	mount -t overlay -o \
	    "lowerdir=/var/lib,upperdir=$WORK/varlib-up,workdir=$WORK/varlib-work" \
	    pam_oidc-e2e-varlib /var/lib || return 1
	rm -rf /var/lib/pam_oidc
	sed -i -E 's/^(passwd|group):(.*)$/\1:\2 oidc/' /etc/nsswitch.conf
	grep -qE '^passwd:.* oidc$' /etc/nsswitch.conf || return 1
	# The name must be new to this host (the namespace's copy of /etc).
	userdel -r "$NSS_NAME" >/dev/null 2>&1
	groupdel "$NSS_NAME" >/dev/null 2>&1
	! getent passwd "$NSS_NAME" >/dev/null &&
	    ! getent group "$NSS_NAME" >/dev/null
}

# nss_range: the first block of 1000 ids no user or group has.
nss_range() {
	local b
	for ((b = 70000; b < 2000000; b += 1000)); do
		if ! awk -F: -v lo="$b" -v hi="$((b + 999))" \
		    '$3 >= lo && $3 <= hi { f = 1 } END { exit !f }' \
		    /etc/passwd /etc/group; then
			echo "$b"
			return
		fi
	done
}

# nss_ssh NAME USER COMMAND: ssh USER@127.0.0.1 COMMAND; USER approves
# the code; Enter. NSS_HELD is the UID the store held while the prompt
# was on the screen. Non-zero (reported) when there was no prompt.
nss_ssh() {
	local name="$1" user="$2" code
	mark "$name"
	pane_start "$name" "ssh $SSH_OPTS -p $SSH_PORT $user@127.0.0.1 '$3'"
	if ! pane_wait "$name" 'Press Enter after you have approved|\[exit [0-9]+\]' ||
	    ! grep -q 'Press Enter after you have approved' "$WORK/$name.pane"; then
		not_ok "$name: sshd shows the sign-in prompt for $user" \
		    "no prompt" @evidence
		return 1
	fi
	NSS_HELD="$(awk -v u="$user" '($1 == "pending" || $1 == "user") &&
	    $2 == u { print $3 }' "$NSS_STORE" 2>/dev/null)"
	code="$(pane_code "$name")"
	if ! approve "$code" "$user" approve >"$WORK/$name.approve" 2>&1; then
		not_ok "$name: $user approves code '$code'" "approve.sh failed" \
		    "$WORK/$name.approve" @evidence
		return 1
	fi
	"${T[@]}" send-keys -t "$name" Enter
	if ! rc_wait "$name"; then
		not_ok "$name: ssh ends" "still running after ~60 s" @evidence
		return 1
	fi
	evidence
}

test_ssh_first_signin() {
	local min l pw uid home shell n other
	if ! setup_nss; then
		not_ok "nss: the module on the loader path, /var/lib private" \
		    "setup failed"
		return
	fi
	min="$(nss_range)"
	# The NSS module reads the host's registration policy here.
	write_conf /etc/pam_oidc.conf pam-public "auto_register = yes" \
	    "register_with = nss" "register_uid_min = $min" \
	    "register_uid_max = $((min + 999))" "shell = /bin/bash"
	ssh_conf "auto_register = yes" "register_with = nss" \
	    "register_uid_min = $min" "register_uid_max = $((min + 999))" \
	    "shell = /bin/bash" "role_map = admin = sudo" \
	    "role_map = user = users" "allowed_roles = admin user" \
	    "group_mode = persist"

	nss_ssh nss-first "$NSS_NAME" 'id; pwd; echo shell=$SHELL' || return
	l="$(id_line nss-first "$NSS_NAME")"
	pw="$(getent passwd "$NSS_NAME")"
	IFS=: read -r _ _ uid _ _ home shell <<<"$pw"
	if [ -z "$NSS_HELD" ]; then
		not_ok "nss-first: sshd held $NSS_NAME before authentication" \
		    "no entry in the store while the prompt was shown" @evidence
	elif [[ "$l" == "uid=$NSS_HELD($NSS_NAME) gid=$NSS_HELD($NSS_NAME) "* ]]; then
		ok "nss-first: $NSS_NAME, never seen here, signs in over SSH with the UID held before authentication" \
		    "held: $NSS_HELD" "$l"
	else
		not_ok "nss-first: a shell with the held UID" \
		    "held '$NSS_HELD', id: '${l:-none}'" @evidence
	fi
	if [[ "$l" == *"(users)"* ]]; then
		ok "nss-first: the session has the group of the role (user -> users)"
	else
		not_ok "nss-first: the group of the role" "missing: $l" @evidence
	fi
	if grep -qx "/home/$NSS_NAME" "$WORK/nss-first.pane" &&
	    grep -qx 'shell=/bin/bash' "$WORK/nss-first.pane" &&
	    [ "$home" = "/home/$NSS_NAME" ] && [ "$shell" = /bin/bash ] &&
	    [ "$(stat -c '%u %a' "/home/$NSS_NAME" 2>&1)" = "$NSS_HELD 700" ] &&
	    [ -f "/home/$NSS_NAME/.bashrc" ]; then
		ok "nss-first: the session starts in its new home from /etc/skel, shell /bin/bash" \
		    "$pw"
	else
		ls -la "/home/$NSS_NAME" >"$WORK/nss-first.home" 2>&1
		not_ok "nss-first: home and shell" "entry '$pw'" \
		    "$WORK/nss-first.home" @evidence
	fi
	other="$(id "$NSS_NAME" 2>&1)"
	if [ -n "$l" ] && [ "$other" = "$l" ]; then
		ok "nss-first: id $NSS_NAME from another process shows the same" \
		    "$other"
	else
		not_ok "nss-first: id from another process" \
		    "'$other' vs the session's '$l'"
	fi
	if ! grep -q "^$NSS_NAME:" /etc/passwd &&
	    grep -qE "^users:.*[:,]$NSS_NAME(,|\$)" /etc/group; then
		ok "nss-first: the account is in the registry, not /etc/passwd; group_mode = persist lists it in users"
	else
		not_ok "nss-first: where the account lives" \
		    "/etc/passwd or /etc/group not as expected" @evidence
	fi
	if grep -q "pam_oidc(nss): $NSS_NAME held for a first sign-in with uid $NSS_HELD" \
	    "$WORK/nss-first.syslog" &&
	    grep -q "auto_register: registered $NSS_NAME with uid $NSS_HELD" \
	    "$WORK/nss-first.syslog"; then
		ok "nss-first: the log shows the reservation in sshd and the registration" \
		    "$(grep -m1 'held for a first sign-in' "$WORK/nss-first.syslog")"
	else
		not_ok "nss-first: the log" "lines missing" @evidence
	fi

	# Again: the same account, no second entry.
	nss_ssh nss-again "$NSS_NAME" 'id' || return
	l="$(id_line nss-again "$NSS_NAME")"
	n="$(grep -c "^user $NSS_NAME " "$NSS_STORE")"
	if [[ "$l" == "uid=$uid($NSS_NAME) "* ]] && [ "$n" = 1 ]; then
		ok "nss-again: a second sign-in reuses the account" "$l"
	else
		not_ok "nss-again: the same account" \
		    "id '${l:-none}', $n registry entries" @evidence
	fi
}
