# End-to-end tests of what the person sees, on an 80x24 terminal: the
# sign-in of sshd, sudo and login(1) in English, German, Japanese and a C
# locale, each screen captured as text, its QR code read back with zbarimg
# and checked to hold the code, the URL and the context line with nothing
# scrolled away; and a client that leaves sshd while the module waits.
# Sourced by run.sh inside its private mount namespace; uses its
# terminals, provider and sshd.
# shellcheck shell=bash

SCREEN_LANGS="en de ja C"
# Where the screens are kept after the run (make e2e prints the paths).
SCREEN_DIR="$BUILD_ABS/e2e-screens"

# screen_locale LANGUAGE: the LANG of the person's terminal.
screen_locale() {
	case "$1" in
	en) echo C.UTF-8 ;;
	de) echo de_DE.UTF-8 ;;
	ja) echo ja_JP.UTF-8 ;;
	*) echo C ;;
	esac
}

# screens_locales: de_DE.UTF-8 and ja_JP.UTF-8 for sudo and login(1),
# which take the person's language from their locale. sudo is set-uid, so
# glibc reads locales from /usr/lib/locale only (not LOCPATH): they are
# made in a private copy of it, bound over it in this namespace.
screens_locales() {
	local l
	mkdir -p "$WORK/usr-lib-locale" || return 1
	if [ -d /usr/lib/locale ]; then
		cp -a /usr/lib/locale/. "$WORK/usr-lib-locale/" || return 1
	fi
	mount --bind "$WORK/usr-lib-locale" /usr/lib/locale || return 1
	for l in de_DE ja_JP; do
		locale -a 2>/dev/null | grep -qix "$l.utf-\?8" && continue
		localedef --no-archive -i "$l" -f UTF-8 "$l.UTF-8" \
		    >"$WORK/localedef-$l.log" 2>&1 || return 1
	done
}

# screen_conf SERVICE LANGUAGE: the module's configuration for SERVICE.
# sshd has no locale of the person at authentication: the language key
# says it. sudo and login take it from their own locale.
screen_conf() {
	local f="/etc/pam_oidc/$1.conf" lang=""
	[ "$1" = sshd ] && [ "$2" != C ] && lang="language = $2"
	case "$1" in
	sshd) write_conf "$f" pam-public "locale_dir = $BUILD_ABS/locale" \
	    ${lang:+"$lang"} ;;
	sudo) write_conf "$f" pam-public "locale_dir = $BUILD_ABS/locale" \
	    "wait = poll" ;;
	login) write_conf "$f" pam-public "locale_dir = $BUILD_ABS/locale" \
	    "wait = poll" "kiosk = yes" "auto_register = yes" \
	    "shell = /bin/bash" ;;
	esac
}

# screen_command SERVICE: what the person types. ssh's own warning about
# the suite's throw-away known_hosts is not part of the sign-in: hidden.
screen_command() {
	case "$1" in
	sshd) echo "ssh $SSH_OPTS -o LogLevel=ERROR -p $SSH_PORT alice@127.0.0.1 id" ;;
	sudo) echo "runuser -u alice -- sudo -k id -un" ;;
	login) echo "/bin/login" ;;
	esac
}

# screen_start NAME LOCALE COMMAND: COMMAND in a new 80x24 terminal whose
# LANG is LOCALE.
screen_start() {
	cat >"$WORK/$1.sh" <<EOF
unset LC_ALL LC_MESSAGES LC_CTYPE LANGUAGE
export LANG=$2
$3
echo "[exit \$?]"
EOF
	"${T[@]}" new-session -d -s "$1" -x 80 -y 24 "bash $WORK/$1.sh"
}

# screen_grab NAME: the visible screen (24 lines of 80 columns) into
# WORK/NAME.pane, once it holds a user code and has stopped changing.
screen_grab() {
	local i prev=""
	for ((i = 0; i < 300; i++)); do
		"${T[@]}" capture-pane -p -t "$1" >"$WORK/$1.pane" 2>&1
		if grep -qE "$SCREEN_CODE_RE" "$WORK/$1.pane" &&
		    [ "$(cat "$WORK/$1.pane")" = "$prev" ]; then
			return 0
		fi
		prev="$(cat "$WORK/$1.pane")"
		sleep 0.2
	done
	return 1
}

# The test provider's user codes: XXXX-XXXX in its base-20 alphabet.
SCREEN_CODE_RE='[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}'

# screen_check NAME SERVICE LANGUAGE: what must be on the screen.
# sshd cannot know the client's locale and sends the QR code in UTF-8
# (pam_oidc.conf(5)); an ssh client in a C locale writes each of its
# bytes as an escape, which scrolls the code itself away, but the context
# line, the URL and the code below it stay on the screen.
screen_check() {
	local name="$1" svc="$2" lang="$3" p="$WORK/$1.pane" code miss="" w
	local hist got what
	hist="$("${T[@]}" display-message -p -t "$name" '#{history_size}')"
	code="$(grep -oE "$SCREEN_CODE_RE" "$p" | head -n 1)"
	if [ "$lang" = C ] && [ "$svc" = sshd ]; then
		what="escaped QR code above, the text below it"
	elif [ "$lang" = C ]; then
		what="no QR code, ASCII only"
		[ "$hist" = 0 ] || miss="$miss; $hist line(s) scrolled off the top"
	else
		what="the QR code read back with zbarimg"
		[ "$hist" = 0 ] || miss="$miss; $hist line(s) scrolled off the top"
	fi
	[ -n "$code" ] || miss="$miss; no code"
	grep -qE 'https://127\.0\.0\.1:[0-9]+/device( |$)' "$p" ||
	    miss="$miss; no URL"
	# The context line: the account, the service and the host.
	for w in "$svc" "$HOST" $([ "$svc" != login ] && echo alice); do
		grep -qF -- "$w" "$p" || miss="$miss; '$w' not on the screen"
	done
	if [ "$lang" = C ]; then
		if LC_ALL=C grep -q $'[\x80-\xff]' "$p"; then
			miss="$miss; a byte above 0x7f on a C-locale terminal"
		fi
	elif node "$HERE/qr2pbm.mjs" <"$p" >"$WORK/$name.pbm" \
	    2>"$WORK/$name.qr.err"; then
		got="$(zbarimg --raw -q "$WORK/$name.pbm" \
		    2>>"$WORK/$name.qr.err")"
		[ "$got" = "${SCREEN_LINK:-$IDP_URL/device?user_code=$code}" ] ||
		    miss="$miss; the QR code decodes to '$got'"
	else
		miss="$miss; no QR code ($(tail -n 1 "$WORK/$name.qr.err"))"
	fi
	if [ -z "$miss" ]; then
		ok "$name: 80x24, $lang: context line, URL and code on the screen; $what" \
		    "$SCREEN_DIR/${name#screen-}.txt"
		sed 's/^/    | /' "$p"
	else
		not_ok "$name: the 80x24 screen" "${miss#; }" "$p" \
		    "$WORK/$name.qr.err"
	fi
}

# screen_case SERVICE LANGUAGE [long]: one sign-in on an 80x24 terminal,
# the screen kept, checked, then the terminal closed (its hang-up ends the
# sign-in). long: through the proxy, whose device answer carries an
# 80-character verification_uri_complete (SCREEN_LINK).
screen_case() {
	local svc="$1" lang="$2" name="screen-$1-$2${3:+-$3}"
	mark "$name"
	screen_conf "$svc" "$lang"
	[ -n "${3:-}" ] &&
	    sed -i "s|^issuer = .*|issuer = $PROXY_URL|" "/etc/pam_oidc/$svc.conf"
	screen_start "$name" "$(screen_locale "$lang")" \
	    "$(screen_command "$svc")"
	if ! screen_grab "$name"; then
		not_ok "$name: the sign-in on an 80x24 screen" \
		    "no code after ~60 s" @evidence
	else
		cp "$WORK/$name.pane" "$SCREEN_DIR/${name#screen-}.txt"
		screen_check "$name" "$svc" "$lang"
	fi
	"${T[@]}" kill-session -t "$name" 2>/dev/null
}

test_screens() {
	local svc lang langs="$SCREEN_LANGS"
	mkdir -p "$SCREEN_DIR" && rm -f "$SCREEN_DIR"/*.txt
	pam_service sshd
	pam_service sudo
	pam_service login
	if ! screens_locales; then
		echo "skip - screens in de and ja for sudo and login: no" \
		    "de_DE.UTF-8 or ja_JP.UTF-8 locale could be made" \
		    "(install Debian's locales package)"
		sed 's/^/    | /' "$WORK"/localedef-*.log 2>/dev/null | tail -n 5
		langs="en C"
	fi
	for svc in sshd sudo login; do
		for lang in $langs; do
			screen_case "$svc" "$lang"
		done
	done
	# sshd has no locale: German and Japanese come from the language key.
	if [ "$langs" != "$SCREEN_LANGS" ]; then
		screen_case sshd de
		screen_case sshd ja
	fi
	screens_long
	if [ "$langs" = "$SCREEN_LANGS" ]; then
		screen_expiry de "Der Code läuft um" "Die Zeit ist abgelaufen"
		screen_expiry ja "で期限切れになります" "時間切れです"
	fi
	echo "# screens kept in $SCREEN_DIR"
}

# screen_expiry LANGUAGE ABOUT_TO_EXPIRE ENDED: sudo with timeout = 24 and
# nobody approving: the person is told, in their language, when the code
# is about to expire and when the time is up (sudo mutes the verdict with
# PAM_SILENT, not these).
screen_expiry() {
	local lang="$1" name="screen-sudo-$1-expiry" i
	mark "$name"
	write_conf /etc/pam_oidc/sudo.conf pam-public \
	    "locale_dir = $BUILD_ABS/locale" "wait = poll" "timeout = 24"
	screen_start "$name" "$(screen_locale "$lang")" "$(screen_command sudo)"
	for ((i = 0; i < 300; i++)); do
		"${T[@]}" capture-pane -p -t "$name" >"$WORK/$name.pane" 2>&1
		grep -q '^\[exit [0-9]*\]' "$WORK/$name.pane" && break
		sleep 0.2
	done
	evidence
	if grep -qF -- "$2" "$WORK/$name.pane" &&
	    grep -qF -- "$3" "$WORK/$name.pane" &&
	    ! grep -qx '\[exit 0\]' "$WORK/$name.pane"; then
		cp "$WORK/$name.pane" "$SCREEN_DIR/sudo-$lang-expiry.txt"
		ok "$name: sudo tells, in $lang, that the code is about to expire and then that the time is up" \
		    "$(grep -F -- "$2" "$WORK/$name.pane")" \
		    "$(grep -F -- "$3" "$WORK/$name.pane")"
	else
		not_ok "$name: sudo's notices in $lang" "missing" @evidence
	fi
	"${T[@]}" kill-session -t "$name" 2>/dev/null
}

# An 80-character verification_uri_complete, the longest the screen is
# made for: the provider's answer rewritten by the test proxy.
screens_long() {
	local svc base
	proxy_start "$IDP_DIR" "$IDP_PORT"
	base="$PROXY_URL/device?user_code=wdjb-mjht&display=page&x="
	SCREEN_LINK="$base$(printf '%*s' $((80 - ${#base})) '' | tr ' ' 'a')"
	if [ "${#SCREEN_LINK}" != 80 ] ||
	    ! proxy_mode "{\"mode\": \"set_fields\", \"paths\": [\"/device/auth\"], \"set\": {\"verification_uri_complete\": \"$SCREEN_LINK\"}}"; then
		not_ok "screens with an 80-character link" "the proxy would not rewrite the device answer"
	else
		for svc in sshd sudo login; do
			screen_case "$svc" en long
		done
	fi
	SCREEN_LINK=""
	proxy_stop "$IDP_DIR"
}

#-------------------------------------------------------------- leaving

# descendants PID: every process below PID.
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
	    { parent[$1] = $2 }
	    END {
		for (p in parent) {
			q = p
			while (q in parent && q != root && q > 1)
				q = parent[q]
			if (q == root && p != root)
				print p
		}
	    }'
}

# any_alive PID...: is one of them still there?
any_alive() {
	local p
	for p in "$@"; do
		[ -d "/proc/$p" ] && return 0
	done
	return 1
}

# A client that disconnects after pressing Enter, before approving: no
# token poll reaches the provider later than one interval plus one second
# after it left, the connection's sshd processes are gone by then, and an
# approval afterwards is never exchanged for tokens.
test_ssh_disconnect() {
	local name=ssh-gone code pane ssh_pid conn i t_kill t_gone p_late
	local p_end interval why=""
	pam_service sshd
	ssh_conf
	interval="$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['interval']")"
	idp_reset "$IDP_DIR" "$IDP_PORT"
	mark "$name"
	pane_start "$name" "ssh $SSH_OPTS -p $SSH_PORT alice@127.0.0.1 id"
	if ! pane_wait "$name" 'Press Enter after you have'; then
		not_ok "$name: sshd shows the sign-in prompt" "no prompt" \
		    @evidence
		"${T[@]}" kill-session -t "$name" 2>/dev/null
		return
	fi
	code="$(pane_code "$name")"
	conn="$(descendants "$SSHD_PID" | tr '\n' ' ')"
	pane="$("${T[@]}" display-message -p -t "$name" '#{pane_pid}')"
	ssh_pid="$(pgrep -P "$pane" -x ssh)"
	"${T[@]}" send-keys -t "$name" Enter
	# The module has the Enter once its first poll reached the provider.
	for ((i = 0; i < 300; i++)); do
		[ "$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']")" -ge 1 ] &&
		    break
		sleep 0.1
	done
	kill -KILL "$ssh_pid"
	t_kill="$(date +%s%N)"
	# shellcheck disable=SC2086
	for ((i = 0; i < 3000; i++)); do
		any_alive $conn || break
		sleep 0.01
	done
	t_gone="$(date +%s%N)"
	# shellcheck disable=SC2086
	any_alive $conn && why="$why; sshd processes still there after 30 s:$(
	    for i in $conn; do [ -d "/proc/$i" ] && echo -n " $i"; done)"
	# Until one interval and one second after the disconnect.
	i=$((t_kill + (interval + 1) * 1000000000 - $(date +%s%N)))
	[ "$i" -gt 0 ] && sleep "$(awk -v n="$i" 'BEGIN { printf "%.3f", n / 1e9 }')"
	p_late="$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']")"
	# The person approves after all: nothing may take the tokens.
	approve "$code" alice approve >"$WORK/$name.approve" 2>&1 ||
	    why="$why; approving after the disconnect failed"
	sleep $((3 * interval + 1))
	p_end="$(idp_stat "$IDP_DIR" "$IDP_PORT" "s['token_polls']")"
	evidence
	"${T[@]}" kill-session -t "$name" 2>/dev/null
	[ "$p_end" = "$p_late" ] ||
	    why="$why; $((p_end - p_late)) token poll(s) later than interval + 1 s"
	if grep -q 'user alice authenticated' "$WORK/$name.syslog"; then
		why="$why; the approval after the disconnect signed alice in"
	fi
	if [ $(((t_gone - t_kill) / 1000000)) -gt $((interval * 1000 + 1000)) ]; then
		why="$why; sshd processes gone only $(((t_gone - t_kill) / 1000000)) ms after"
	fi
	if [ -z "$why" ]; then
		ok "$name: a client killed after Enter: sshd gone $(((t_gone - t_kill) / 1000000)) ms later, no poll after interval + 1 s ($interval s), an approval after it never used" \
		    "token polls: $p_late by then, $p_end at the end"
	else
		not_ok "$name: a client killed after Enter" "${why#; }" @evidence
	fi
}
