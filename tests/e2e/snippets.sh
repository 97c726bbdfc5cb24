# End-to-end tests of conf/pam.d/sshd.snippet: its lines added to the
# machine's own /etc/pam.d/sshd (as conf/pam.d/README.md says), with
# everything else of that file still at work: pam_nologin, pam_limits and
# pam_env with /etc/default/locale. Sourced by run.sh inside its private
# mount namespace; uses its terminals, provider and sshd.
# shellcheck shell=bash

# snippet_save: the machine's /etc/pam.d/sshd, before the suite writes its
# own (run as a step, before pam_service).
snippet_save() {
	cp -p /etc/pam.d/sshd "$WORK/pam.d-sshd.machine"
}

# snippet_sshd_file: WORK/pam.d-sshd.snippet, the machine's file with the
# snippet's lines, the module by its built path and the suite's config.
snippet_sshd_file() {
	local f="$WORK/pam.d-sshd.snippet" type rest
	cp -p "$WORK/pam.d-sshd.machine" "$f" || return 1
	grep -E '^(auth|account)[[:space:]]' "$HERE/../../conf/pam.d/sshd.snippet" |
	    while read -r type rest; do
		sed -i "/^@include[[:space:]]\+common-$type[[:space:]]*\$/i $type $rest" \
		    "$f"
	    done
	sed -i "s|[^ 	]*pam_oidc\.so|$BUILD_ABS/pam_oidc.so config=/etc/pam_oidc/sshd.conf|" \
	    "$f"
	[ "$(grep -c pam_oidc.so "$f")" = 2 ]
}

# snip_ssh NAME USER COMMAND: ssh USER@127.0.0.1 COMMAND in a terminal;
# USER approves the code shown; Enter. Non-zero (after reporting) when
# there was no code or the command did not end.
snip_ssh() {
	local name="$1" user="$2" code
	mark "$name"
	pane_start "$name" "ssh $SSH_OPTS -p $SSH_PORT $user@127.0.0.1 '$3'"
	if ! pane_wait "$name" 'Press Enter after you have approved|\[exit [0-9]+\]' ||
	    ! grep -q 'Press Enter after you have approved' "$WORK/$name.pane"; then
		not_ok "$name: sshd shows the sign-in prompt" "no prompt" \
		    @evidence
		"${T[@]}" kill-session -t "$name" 2>/dev/null
		return 1
	fi
	code="$(pane_code "$name")"
	if ! approve "$code" "$user" approve >"$WORK/$name.approve" 2>&1; then
		not_ok "$name: $user approves code '$code'" "approve.sh failed" \
		    "$WORK/$name.approve" @evidence
		"${T[@]}" kill-session -t "$name" 2>/dev/null
		return 1
	fi
	"${T[@]}" send-keys -t "$name" Enter
	if ! rc_wait "$name"; then
		not_ok "$name: ssh ends" "still running after ~60 s" @evidence
		"${T[@]}" kill-session -t "$name" 2>/dev/null
		return 1
	fi
	evidence
}

# Debian's sshd file with our two lines: a session gets the limits of
# limits.conf and the locale of /etc/default/locale; /etc/nologin refuses
# an ordinary user, with its text, even after the provider approved.
test_ssh_snippet() {
	local keep="$WORK/snip-keep" had_locale=0 l nl
	nl="pam_oidc e2e: logins are closed for maintenance"
	if ! snippet_sshd_file; then
		not_ok "ssh-snippet: sshd.snippet applied to the machine's /etc/pam.d/sshd" \
		    "the pam_oidc lines are not in place" "$WORK/pam.d-sshd.snippet"
		return
	fi
	mkdir -p "$keep"
	cp -p /etc/pam.d/sshd "$keep/sshd"
	cp -p /etc/security/limits.conf "$keep/limits.conf"
	[ -f /etc/default/locale ] && had_locale=1 &&
	    cp -p /etc/default/locale "$keep/locale"
	cp "$WORK/pam.d-sshd.snippet" /etc/pam.d/sshd
	echo "alice hard nofile 1234" >>/etc/security/limits.conf
	echo "LANG=C.UTF-8" >/etc/default/locale
	ssh_conf

	if snip_ssh ssh-snippet alice 'echo "nofile=$(ulimit -Hn) LANG=$LANG"'; then
		l="$(grep -m1 '^nofile=' "$WORK/ssh-snippet.pane")"
		if [ "${l%% *}" = nofile=1234 ]; then
			ok "ssh-snippet: Debian's sshd file with our lines: pam_limits applies limits.conf" "$l"
		else
			not_ok "ssh-snippet: pam_limits applies limits.conf (alice hard nofile 1234)" \
			    "got '${l:-nothing}'" @evidence
		fi
		if [ "${l#* }" = LANG=C.UTF-8 ]; then
			ok "ssh-snippet: pam_env sets the locale of /etc/default/locale" "$l"
		else
			not_ok "ssh-snippet: pam_env sets LANG from /etc/default/locale" \
			    "got '${l:-nothing}'" @evidence
		fi
	fi

	echo "$nl" >/etc/nologin
	if snip_ssh ssh-nologin alice 'echo "signed in as $(id -un)"'; then
		if ! grep -q '^signed in as' "$WORK/ssh-nologin.pane" &&
		    grep -qF "$nl" "$WORK/ssh-nologin.pane"; then
			ok "ssh-nologin: with /etc/nologin, alice is refused after approval, and shown its text" \
			    "$(grep -m1 -F "$nl" "$WORK/ssh-nologin.pane")"
		else
			not_ok "ssh-nologin: /etc/nologin refuses alice with its text" \
			    "signed in, or the text was not shown" @evidence
		fi
	fi
	rm -f /etc/nologin

	cp -p "$keep/sshd" /etc/pam.d/sshd
	cp -p "$keep/limits.conf" /etc/security/limits.conf
	if [ "$had_locale" = 1 ]; then
		cp -p "$keep/locale" /etc/default/locale
	else
		rm -f /etc/default/locale
	fi
}
