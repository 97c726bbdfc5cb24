#!/usr/bin/env bash
# End-to-end tests: the built module in the machine's real sshd, sudo and
# login(1), against the test provider on 127.0.0.1. A terminal (tmux) plays
# the screen and keyboard, tests/idp/approve.sh plays the person approving
# on a phone.
#
# Everything that changes the system happens inside a private mount
# namespace: a copy of /etc is bound over /etc, and /home, /run, /var/log,
# /var/mail and /dev are private (/dev holds the machine's device nodes
# plus our own /dev/log, so the module's syslog lines can be read). The
# machine's own files are never touched.
#
#   run.sh BUILD_DIR            (as root; make BUILD=BUILD_DIR all first)
# PAM_OIDC_E2E_KEEP=1 keeps the work directory (screens, logs) afterwards.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"

# ns_pids NS: the processes in mount namespace NS (as readlink shows it).
ns_pids() {
	local p n
	for p in /proc/[0-9]*; do
		n="$(readlink "$p/ns/mnt" 2>/dev/null)" || continue
		[ "$n" = "$1" ] && echo "${p#/proc/}"
	done
}

# ns_kill NS [KEEP...]: end every process in NS but the ones to keep:
# TERM, then KILL for what is still there after a bounded wait.
ns_kill() {
	local ns="$1" p q i j left
	shift
	for i in 1 2; do
		left=""
		for p in $(ns_pids "$ns"); do
			case " $* " in *" $p "*) continue ;; esac
			left="$left $p"
		done
		[ -z "$left" ] && return 0
		# shellcheck disable=SC2086
		kill -s "$([ "$i" = 1 ] && echo TERM || echo KILL)" $left \
		    2>/dev/null
		for ((j = 0; j < 50; j++)); do
			p=""
			for q in $left; do
				[ -d "/proc/$q" ] && p="$p $q"
			done
			[ -z "$p" ] && return 0
			sleep 0.1
		done
	done
	return 1
}

###########################################################################
# Outside the namespace: checks, then this script again in a private mount
# namespace, then the teardown checks.
###########################################################################
outer() {
	local build="${1:-build}" build_abs work ns rc passed=0 failed=0 t left
	local before after
	skip_all() {
		echo "skip - e2e: $1"
		echo "e2e: 0 passed, 0 failed"
		exit 0
	}
	[ "$(id -u)" -eq 0 ] ||
	    skip_all "needs root (sshd, sudo, login and a mount namespace)"
	unshare -m --propagation private true 2>/dev/null ||
	    skip_all "unshare -m --propagation private is not permitted here"
	for t in /usr/sbin/sshd ssh ssh-keygen sudo runuser /bin/login tmux \
	    zbarimg node curl useradd python3 findmnt; do
		command -v "$t" >/dev/null 2>&1 || skip_all "$t is not installed"
	done
	if ! build_abs="$(cd "$build" 2>/dev/null && pwd)" ||
	    [ ! -f "$build_abs/pam_oidc.so" ]; then
		echo "not ok - e2e: no $build/pam_oidc.so (make BUILD=$build all)"
		echo "e2e: 0 passed, 1 failed"
		exit 1
	fi
	work="$(mktemp -d /tmp/pam_oidc-e2e.XXXXXX)"
	chmod 0755 "$work"
	# A reader that goes away must not stop the teardown.
	trap '' PIPE
	# What the machine has before, to show afterwards it was not touched.
	before="$(machine_state)"

	unshare -m --propagation private bash "$SELF" --inner "$build_abs" \
	    "$work"
	rc=$?

	if [ -f "$work/counts" ]; then
		read -r passed failed <"$work/counts"
	else
		echo "not ok - e2e: the suite ended early (exit $rc)"
		failed=1
	fi
	ns="$(cat "$work/ns" 2>/dev/null)"
	left=""
	[ -n "$ns" ] && left="$(ns_pids "$ns" | tr '\n' ' ')"
	if [ -z "$left" ]; then
		echo "ok - teardown: no process is left in the private namespace"
		passed=$((passed + 1))
	else
		echo "not ok - teardown: processes left in the namespace: $left"
		# shellcheck disable=SC2086
		ps -o pid,ppid,args -p "${left// /,}" 2>&1 | sed 's/^/    | /'
		ns_kill "$ns"
		failed=$((failed + 1))
	fi
	if findmnt -rn -o TARGET,SOURCE | grep -qE "$work|pam_oidc-e2e"; then
		echo "not ok - teardown: a mount of the suite is visible outside"
		findmnt -rn -o TARGET,SOURCE | grep -E "$work|pam_oidc-e2e" |
		    sed 's/^/    | /'
		failed=$((failed + 1))
	else
		echo "ok - teardown: no mount of the suite outside its namespace"
		passed=$((passed + 1))
	fi
	after="$(machine_state)"
	if [ "$before" = "$after" ]; then
		echo "ok - the machine's /etc, /home, /root/.ssh and /dev are unchanged"
		passed=$((passed + 1))
	else
		echo "not ok - the machine's files changed"
		diff <(echo "$before") <(echo "$after") | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
	# No mounts can remain: the namespace is gone with its last process.
	if [ -n "${PAM_OIDC_E2E_KEEP:-}" ]; then
		echo "# kept $work"
	else
		rm -rf "$work"
	fi
	echo "e2e: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# What this suite must never change on the machine itself.
machine_state() {
	(cd /etc && sha256sum passwd group shadow gshadow sudoers 2>&1)
	find /etc/pam.d /etc/sudoers.d /home /dev -maxdepth 1 -printf '%m %p\n' \
	    2>&1 | sort
	ls -d /etc/pam_oidc /root/.ssh /dev/log /run/sshd 2>&1
}

if [ "${1:-}" != "--inner" ]; then
	outer "$@"
	exit
fi

###########################################################################
# Inside the private mount namespace.
###########################################################################
BUILD_ABS="$2"
WORK="$3"
# shellcheck source=tests/integration/lib.sh
. "$HERE/../integration/lib.sh"
# shellcheck source=tests/e2e/snippets.sh
. "$HERE/snippets.sh"
# shellcheck source=tests/e2e/screens.sh
. "$HERE/screens.sh"

MY_NS="$(readlink /proc/self/ns/mnt)"
echo "$MY_NS" >"$WORK/ns"
HOST="$(hostname)"
export TMUX_TMPDIR="$WORK" LANG=C.UTF-8
unset TMUX
T=(tmux -L pam_oidc_e2e -f /dev/null)
SSHD_PID="" SINK_PID="" SSH_PORT=""
SSH_OPTS="-F /dev/null -tt -o StrictHostKeyChecking=no \
-o UserKnownHostsFile=/dev/null -o PreferredAuthentications=keyboard-interactive \
-o NumberOfPasswordPrompts=1"
passed=0 failed=0

cleanup() {
	"${T[@]}" kill-server >/dev/null 2>&1
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
	idp_stop "$WORK/idp"
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
	# sshd's per-connection processes, login shells and whatever else
	# this namespace still holds: all of it was started here.
	ns_kill "$MY_NS" $$ "$BASHPID"
	echo "$passed $failed" >"$WORK/counts"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap '' PIPE

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
	shift
	local l
	for l in "$@"; do echo "    $l"; done
}
# not_ok NAME WHY [FILE...]: the files are the evidence, indented;
# @evidence stands for the screen, syslog and sshd lines of this test.
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1: $2"
	shift 2
	local f e
	for f in "$@"; do
		if [ "$f" = @evidence ]; then
			evidence
			for e in "${EV[@]}"; do show "$e"; done
		else
			show "$f"
		fi
	done
}
show() {
	[ -s "$1" ] || return 0
	echo "    --- ${1#"$WORK"/}"
	sed 's/^/    | /' "$1" | tail -n 80
}

# mark NAME: evidence for one test starts here (syslog and sshd log).
mark() {
	MARK_NAME="$1"
	MARK_SYSLOG=$(wc -l <"$WORK/syslog" 2>/dev/null || echo 0)
	MARK_SSHD=$(wc -l <"$WORK/sshd.log" 2>/dev/null || echo 0)
}
# evidence: the syslog and sshd lines since mark, as files; EV lists
# them with the screen.
evidence() {
	tail -n +"$((MARK_SYSLOG + 1))" "$WORK/syslog" \
	    >"$WORK/$MARK_NAME.syslog" 2>/dev/null
	tail -n +"$((MARK_SSHD + 1))" "$WORK/sshd.log" \
	    >"$WORK/$MARK_NAME.sshd" 2>/dev/null
	EV=("$WORK/$MARK_NAME.pane" "$WORK/$MARK_NAME.syslog"
	    "$WORK/$MARK_NAME.sshd")
}

#-------------------------------------------------------------- the system

setup_dev() {
	local old="$WORK/olddev" e n
	mkdir -p "$old" && mount --rbind /dev "$old" || return 1
	mount -t tmpfs -o mode=0755,nosuid pam_oidc-e2e-dev /dev || return 1
	for e in "$old"/* "$old"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		n="/dev/${e##*/}"
		case "${e##*/}" in pts | ptmx) continue ;; esac
		if [ -L "$e" ]; then
			cp -P "$e" "$n" || return 1
		elif [ -d "$e" ]; then
			mkdir -p "$n" && mount --rbind "$e" "$n" || return 1
		else
			touch "$n" && mount --bind "$e" "$n" || return 1
		fi
	done
	# Terminals: a devpts instance of our own (a bind of the machine's
	# /dev/ptmx cannot find its devpts through this tmpfs).
	mkdir /dev/pts && mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 \
	    pam_oidc-e2e-pts /dev/pts && ln -s pts/ptmx /dev/ptmx || return 1
	# The binds stay; the way back to the machine's /dev goes.
	umount -l "$old" && rmdir "$old"
}

setup_system() {
	cp -a /etc "$WORK/etc" && mount --bind "$WORK/etc" /etc || return 1
	mount -t tmpfs -o mode=0755 pam_oidc-e2e-home /home || return 1
	mount -t tmpfs -o mode=0755 pam_oidc-e2e-run /run || return 1
	install -d -m 0755 /run/sshd && install -d -m 1777 /run/lock &&
	    ln -s /dev/shm /run/shm &&
	    install -m 0664 -g utmp /dev/null /run/utmp || return 1
	mount -t tmpfs -o mode=0755 pam_oidc-e2e-log /var/log || return 1
	install -m 0664 -g utmp /dev/null /var/log/wtmp &&
	    install -m 0664 -g utmp /dev/null /var/log/lastlog &&
	    install -m 0660 -g utmp /dev/null /var/log/btmp &&
	    install -m 0644 /dev/null /var/log/faillog || return 1
	mount -t tmpfs -o mode=2775,gid=mail pam_oidc-e2e-mail /var/mail ||
	    return 1
	setup_dev || return 1
	python3 "$HERE/syslog-sink.py" /dev/log "$WORK/syslog" \
	    >"$WORK/syslog-sink.err" 2>&1 &
	SINK_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -S /dev/log ] && break
		sleep 0.1
	done
	[ -S /dev/log ] || return 1
	: >>"$WORK/syslog"
}

# The suite's accounts are its own, whatever the machine has: users and
# groups are looked up in files only (not in a directory service or a
# cache daemon), and every account or group named alice, bob, carol or
# dave in the copy of /etc is dropped, with those names in any group's
# member lists. useradd then picks free UIDs: the machine may use 2001 and
# up for its own.
SUITE_USERS="alice bob carol dave"

# private_etc: /etc is the suite's copy (setup_system bound it there);
# nothing below changes a file in /etc otherwise.
private_etc() {
	[ "$(stat -c %d:%i /etc)" = "$(stat -c %d:%i "$WORK/etc")" ]
}

# files_only: passwd, group, shadow and gshadow from /etc's files alone.
files_only() {
	local f=/etc/nsswitch.conf t db
	t="$(mktemp)" || return 1
	awk '$1 ~ /^(passwd|group|shadow|gshadow):$/ { next } { print }' \
	    "$f" >"$t" 2>/dev/null
	for db in passwd group shadow gshadow; do
		echo "$db: files" >>"$t"
	done
	cat "$t" >"$f"
	db=$?
	rm -f "$t"
	return "$db"
}

# drop_names FILE FIELDS NAME...: FILE without the lines of NAMEs, and
# without NAMEs in the comma lists of the given fields (group: 4,
# gshadow: 3 and 4). The file keeps its inode, mode and owner.
drop_names() {
	local f="$1" fields="$2" t
	shift 2
	[ -f "$f" ] || return 0
	t="$(mktemp)" || return 1
	awk -F: -v OFS=: -v names="$*" -v fields="$fields" '
	    BEGIN { split(names, n, " "); for (i in n) drop[n[i]] = 1
		split(fields, fl, " ") }
	    drop[$1] { next }
	    {
		for (k in fl) {
			c = fl[k]
			if (c > NF) continue
			m = split($c, mem, ",")
			out = ""
			for (j = 1; j <= m; j++)
				if (mem[j] != "" && !drop[mem[j]])
					out = out (out == "" ? "" : ",") mem[j]
			$c = out
		}
		print
	    }' "$f" >"$t" && cat "$t" >"$f"
	fields=$?
	rm -f "$t"
	return "$fields"
}

setup_accounts() {
	local u
	private_etc && files_only || return 1
	drop_names /etc/passwd "" $SUITE_USERS &&
	    drop_names /etc/shadow "" $SUITE_USERS &&
	    drop_names /etc/group "4" $SUITE_USERS &&
	    drop_names /etc/gshadow "3 4" $SUITE_USERS &&
	    drop_names /etc/subuid "" $SUITE_USERS &&
	    drop_names /etc/subgid "" $SUITE_USERS || return 1
	for u in $SUITE_USERS; do
		if getent passwd "$u" >/dev/null || getent group "$u" >/dev/null; then
			echo "setup: $u is still known after the copy of /etc was cleaned" >&2
			return 1
		fi
	done
	getent group sudo >/dev/null || groupadd -f -g 27 sudo || return 1
	getent group users >/dev/null || groupadd -f -g 100 users || return 1
	for u in alice bob dave; do
		useradd -m -U -s /bin/bash "$u" || return 1
	done
	install -d -m 0755 /etc/pam_oidc
	install -d -m 0700 "$WORK/cache"
}

# pam_service NAME: /etc/pam.d/NAME with the built module first.
pam_service() {
	cat >"/etc/pam.d/$1" <<SVC
# pam_oidc end-to-end test
auth     required $BUILD_ABS/pam_oidc.so config=/etc/pam_oidc/$1.conf
account  required $BUILD_ABS/pam_oidc.so
account  required pam_unix.so
session  required pam_unix.so
SVC
}

# sudo's policy is the suite's own too: the copy of /etc gets a sudoers
# of root's rule and the drop-in below, whatever the machine allows its
# users (a NOPASSWD rule for a user alice would skip the sign-in).
setup_sudo() {
	private_etc || return 1
	rm -rf /etc/sudoers.d && install -d -m 0750 /etc/sudoers.d || return 1
	cat >/etc/sudoers <<'SUDO' || return 1
Defaults env_reset
Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
root ALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d
SUDO
	chmod 0440 /etc/sudoers || return 1
	cat >/etc/sudoers.d/pam_oidc-e2e <<'SUDO'
Defaults !lecture
Defaults !mail_badpass
Defaults passwd_tries=1
alice ALL=(ALL) ALL
bob ALL=(ALL) ALL
SUDO
	chmod 0440 /etc/sudoers.d/pam_oidc-e2e
	visudo -cq -f /etc/sudoers
}

setup_sshd() {
	SSH_PORT="$(free_port)"
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh_host_ed25519_key" ||
	    return 1
	cat >"$WORK/sshd_config" <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $WORK/ssh_host_ed25519_key
PidFile $WORK/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
AuthenticationMethods keyboard-interactive
PermitRootLogin no
LoginGraceTime 120
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel VERBOSE
CONF
	/usr/sbin/sshd -t -f "$WORK/sshd_config" >"$WORK/sshd.log" 2>&1 ||
	    return 1
	/usr/sbin/sshd -D -e -f "$WORK/sshd_config" >>"$WORK/sshd.log" 2>&1 &
	SSHD_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "Server listening on 127.0.0.1 port $SSH_PORT" \
		    "$WORK/sshd.log" && return 0
		kill -0 "$SSHD_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

setup_tmux() {
	# A session that keeps the server; finished panes stay readable.
	"${T[@]}" new-session -d -s keep -x 200 -y 100 'sleep 86400' &&
	    "${T[@]}" set-option -g remain-on-exit on >/dev/null &&
	    "${T[@]}" set-option -g history-limit 5000 >/dev/null
}

#-------------------------------------------------------------- terminals

# pane_start NAME COMMAND: COMMAND (bash) in a new 200x100 terminal; its
# exit status goes to WORK/NAME.rc.
pane_start() {
	rm -f "$WORK/$1.rc" "$WORK/$1.pane"
	cat >"$WORK/$1.sh" <<EOF
export LANG=C.UTF-8
$2
rc=\$?
echo "[exit \$rc]"
echo "\$rc" >"$WORK/$1.rc"
EOF
	"${T[@]}" new-session -d -s "$1" -x 200 -y 100 "bash $WORK/$1.sh"
}

# pane_capture NAME: the screen and its history, without the blank rows
# below the last text and tmux's "Pane is dead" line.
pane_capture() {
	"${T[@]}" capture-pane -p -J -S - -t "$1" 2>&1 |
	    awk '/^Pane is dead/ { next }
		{ l[NR] = $0; if ($0 ~ /[^ ]/) last = NR }
		END { for (i = 1; i <= last; i++) print l[i] }' >"$WORK/$1.pane"
}

# pane_wait NAME ERE: until the screen matches (at most ~60 s).
pane_wait() {
	local i
	for ((i = 0; i < 300; i++)); do
		pane_capture "$1"
		grep -qE -- "$2" "$WORK/$1.pane" && return 0
		sleep 0.2
	done
	return 1
}

# rc_wait NAME: until the command in the pane has ended (at most ~60 s).
rc_wait() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ -s "$WORK/$1.rc" ] && { pane_capture "$1"; return 0; }
		sleep 0.2
	done
	pane_capture "$1"
	return 1
}

pane_code() {
	sed -n 's/^.*Code:  *\([A-Za-z0-9-]*\).*$/\1/p' "$WORK/$1.pane" |
	    head -n 1
}

# qr_check NAME: the QR code on the screen decodes to the Link URL, or
# without a Link line (the screen had no room), to the page with the code
# shown, which the test provider's verification_uri_complete is.
qr_check() {
	local name="$1" want got
	want="$(sed -n 's/^.*Link:  *\(https:[^ ]*\).*$/\1/p' \
	    "$WORK/$name.pane" | head -n 1)"
	[ -n "$want" ] ||
	    want="$IDP_URL/device?user_code=$(pane_code "$name")"
	if ! node "$HERE/qr2pbm.mjs" <"$WORK/$name.pane" \
	    >"$WORK/$name.pbm" 2>"$WORK/$name.qr.err"; then
		not_ok "$name: QR code read back" "no QR block on the screen" \
		    "$WORK/$name.qr.err" "$WORK/$name.pane"
		return
	fi
	got="$(zbarimg --raw -q "$WORK/$name.pbm" 2>>"$WORK/$name.qr.err")"
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "$name: the QR code on the screen decodes to the link shown" \
		    "decoded: $got"
	else
		echo "want: $want" >>"$WORK/$name.qr.err"
		echo "decoded: $got" >>"$WORK/$name.qr.err"
		not_ok "$name: QR code read back" "decoded text differs" \
		    "$WORK/$name.qr.err" "$WORK/$name.pane"
	fi
}

# id_line NAME USER: the line of id's output for USER on the screen.
id_line() {
	grep -oE "uid=[0-9]+\($2\) gid=[^ ]+ groups=[^ ]+" "$WORK/$1.pane" |
	    head -n 1
}

#-------------------------------------------------------------- SSH

# ssh_conf LINES...: the configuration sshd's pam_oidc uses.
ssh_conf() {
	write_conf /etc/pam_oidc/sshd.conf pam-public "role_claim = roles" \
	    "$@"
}

# ssh_login NAME USER APPROVER MODE: ssh USER@127.0.0.1 id in a terminal;
# APPROVER approves (or denies) the code shown; Enter. Returns non-zero
# (after reporting) when there was no code to approve.
ssh_login() {
	local name="$1" user="$2" who="$3" mode="$4" code
	mark "$name"
	pane_start "$name" "ssh $SSH_OPTS -p $SSH_PORT $user@127.0.0.1 id"
	if ! pane_wait "$name" 'Press Enter after you have approved|\[exit [0-9]+\]' ||
	    ! grep -q 'Press Enter after you have approved' "$WORK/$name.pane"; then
		not_ok "$name: sshd shows the sign-in prompt" "no prompt" \
		    @evidence
		"${T[@]}" kill-session -t "$name" 2>/dev/null
		return 1
	fi
	code="$(pane_code "$name")"
	if ! approve "$code" "$who" "$mode" >"$WORK/$name.approve" 2>&1; then
		not_ok "$name: $who can $mode code '$code' at the provider" \
		    "approve.sh failed" "$WORK/$name.approve" @evidence
		"${T[@]}" kill-session -t "$name" 2>/dev/null
		return 1
	fi
	"${T[@]}" send-keys -t "$name" Enter
	if ! rc_wait "$name"; then
		not_ok "$name: ssh ends" "still running after ~60 s" \
		    @evidence
		"${T[@]}" kill-session -t "$name" 2>/dev/null
		return 1
	fi
	evidence
	return 0
}

test_ssh_display() {
	local p="$WORK/ssh-alice.pane" want miss=""
	# The context line stands beside the QR code, wrapped in its column.
	for want in "(alice@127.0.0.1) Sign in with your identity provider" \
	    "Sign-in for alice to sshd on" "Open:  $IDP_URL/device" \
	    "Code:  " "Valid until " "█" "Press Enter after you have"; do
		grep -qF -- "$want" "$p" || miss="$miss '$want'"
	done
	if [ -z "$miss" ] &&
	    [ "$(grep -c '(alice@127.0.0.1)' "$p")" = 1 ]; then
		ok "ssh-alice: one echo-off prompt with context line, URL, code, time left and QR code"
	else
		not_ok "ssh-alice: the prompt" "missing:${miss:- (more than one prompt)}" "$p"
	fi
}

# told NAME TEXT: the person saw TEXT (sshd sends it with the failure;
# ssh prints it at its default LogLevel, not with -q or LogLevel=ERROR).
told() {
	if grep -qxF -- "$2" "$WORK/$1.pane"; then
		ok "$1: the person is told why" "$2"
	else
		not_ok "$1: the person is told why" "'$2' not shown" \
		    "$WORK/$1.pane"
	fi
}

test_ssh() {
	local l
	ssh_conf "role_map = admin = sudo" "role_map = user = users" \
	    "allowed_roles = admin user" "group_mode = session"

	if ssh_login ssh-alice alice alice approve; then
		test_ssh_display
		qr_check ssh-alice
		l="$(id_line ssh-alice alice)"
		if [ -z "$l" ]; then
			not_ok "ssh-alice: alice signs in over ssh" "no id output" \
			    @evidence
		elif [[ "$l" == *"(sudo)"* ]]; then
			ok "ssh-alice: alice (role admin) signs in; id shows group sudo" "$l"
		else
			ok "ssh-alice: alice signs in over ssh" "$l"
			not_ok "ssh-alice: id shows group sudo (role_map admin = sudo)" \
			    "the mapped group is missing: $l" @evidence
		fi
	fi

	if ssh_login ssh-bob bob bob approve; then
		l="$(id_line ssh-bob bob)"
		if [ -z "$l" ]; then
			not_ok "ssh-bob: bob signs in over ssh" "no id output" \
			    @evidence
		elif [[ "$l" == *"(users)"* && "$l" != *"(sudo)"* ]]; then
			ok "ssh-bob: bob (role user) signs in; id shows group users, not sudo" "$l"
		else
			ok "ssh-bob: bob signs in over ssh" "$l"
			not_ok "ssh-bob: id shows group users and not sudo (role_map user = users)" \
			    "groups not as mapped: $l" @evidence
		fi
	fi

	# alice approves the code shown for bob's login.
	if ssh_login ssh-mismatch bob alice approve; then
		l="$(id_line ssh-mismatch bob)"
		if [ -z "$l" ] && grep -q '^\[exit 255\]' "$WORK/ssh-mismatch.pane" &&
		    grep -q 'Permission denied' "$WORK/ssh-mismatch.pane"; then
			ok "ssh-mismatch: alice approving bob's login is refused" \
			    "$(grep -m1 'Permission denied' "$WORK/ssh-mismatch.pane")" \
			    "log: $(grep -m1 'is not the account' "$WORK/ssh-mismatch.syslog")"
		else
			not_ok "ssh-mismatch: alice approving bob's login is refused" \
			    "got in or ended otherwise${l:+: $l}" @evidence
		fi
		told ssh-mismatch "The identity you approved is not this account."
	fi

	# dave holds no role; allowed_roles = admin user.
	if ssh_login ssh-dave dave dave approve; then
		l="$(id_line ssh-dave dave)"
		if [ -z "$l" ] && grep -q '^\[exit 255\]' "$WORK/ssh-dave.pane" &&
		    grep -q 'Permission denied' "$WORK/ssh-dave.pane"; then
			ok "ssh-dave: dave, with none of allowed_roles, is refused" \
			    "$(grep -m1 'Permission denied' "$WORK/ssh-dave.pane")" \
			    "log: $(grep -m1 'holds none of allowed_roles' "$WORK/ssh-dave.syslog")"
		else
			not_ok "ssh-dave: dave, with none of allowed_roles, is refused" \
			    "got in or ended otherwise${l:+: $l}" @evidence
		fi
		told ssh-dave "Your role at the identity provider does not allow access to this system."
	fi
}

# group_mode = persist: the role's group is written to /etc/group.
test_ssh_persist() {
	local l st0 st1
	ssh_conf "role_map = admin = sudo" "role_map = user = users" \
	    "allowed_roles = admin user" "group_mode = persist"
	rm -f /etc/group-
	cp -p /etc/group "$WORK/group.before"
	st0="$(stat -c '%a %U:%G' /etc/group)"
	if grep -qE '^users:.*[:,]bob(,|$)' /etc/group; then
		not_ok "ssh-persist: precondition" "bob is already in users" \
		    /etc/group
		return
	fi
	ssh_login ssh-persist bob bob approve || return
	l="$(id_line ssh-persist bob)"
	if [ -n "$l" ]; then
		ok "ssh-persist: bob signs in with group_mode = persist" "$l"
	else
		not_ok "ssh-persist: bob signs in with group_mode = persist" \
		    "no id output" @evidence
	fi
	grep '^users:' /etc/group >"$WORK/ssh-persist.users"
	if grep -qE '^users:.*[:,]bob(,|$)' /etc/group; then
		ok "ssh-persist: /etc/group lists bob in users" \
		    "$(cat "$WORK/ssh-persist.users")"
	else
		not_ok "ssh-persist: /etc/group lists bob in users" \
		    "not listed: $(cat "$WORK/ssh-persist.users")" @evidence
	fi
	if [ ! -f /etc/group- ]; then
		not_ok "ssh-persist: /etc/group- holds the previous /etc/group" \
		    "no /etc/group-" @evidence
	elif cmp -s /etc/group- "$WORK/group.before"; then
		ok "ssh-persist: /etc/group- holds the previous /etc/group"
	else
		diff "$WORK/group.before" /etc/group- >"$WORK/ssh-persist.diff"
		not_ok "ssh-persist: /etc/group- holds the previous /etc/group" \
		    "it differs" "$WORK/ssh-persist.diff"
	fi
	st1="$(stat -c '%a %U:%G' /etc/group)"
	if [ "$st0" = "$st1" ]; then
		ok "ssh-persist: /etc/group keeps mode and owner ($st1)"
	else
		not_ok "ssh-persist: /etc/group keeps mode and owner" \
		    "was $st0, now $st1"
	fi
}

#-------------------------------------------------------------- sudo

test_sudo() {
	local name code
	write_conf /etc/pam_oidc/sudo.conf pam-public "wait = poll" \
	    "role_claim = roles" "role_map = admin = sudo" \
	    "allowed_roles = admin user"
	for mode in approve deny; do
		name="sudo-$mode"
		mark "$name"
		pane_start "$name" "runuser -u alice -- sudo -k id -un"
		if ! pane_wait "$name" 'Waiting for approval|\[exit [0-9]+\]' ||
		    ! grep -q 'Waiting for approval' "$WORK/$name.pane"; then
			not_ok "$name: sudo shows the sign-in" "no code" @evidence
			continue
		fi
		if [ "$mode" = approve ]; then
			if grep -qF "Sign-in for alice to sudo on" \
			    "$WORK/$name.pane" &&
			    ! grep -q 'Press Enter' "$WORK/$name.pane"; then
				ok "$name: text info with the context line, no Enter prompt"
			else
				not_ok "$name: sudo's display" \
				    "context line missing or an Enter prompt" \
				    "$WORK/$name.pane"
			fi
		fi
		code="$(pane_code "$name")"
		if ! approve "$code" alice "$mode" >"$WORK/$name.approve" 2>&1; then
			not_ok "$name: alice can $mode code '$code'" \
			    "approve.sh failed" "$WORK/$name.approve" @evidence
			continue
		fi
		# No key is sent: the approval alone must end the wait.
		if ! rc_wait "$name"; then
			not_ok "$name: sudo ends without a key press" \
			    "still waiting after ~60 s" @evidence
			continue
		fi
		evidence
		if [ "$mode" = approve ]; then
			if grep -qx 'root' "$WORK/$name.pane" &&
			    grep -qx '\[exit 0\]' "$WORK/$name.pane"; then
				ok "sudo-approve: approval alone (no key pressed) runs the command as root" \
				    "sudo -k id -un printed: root"
			else
				not_ok "sudo-approve: approval runs the command" \
				    "no 'root'" @evidence
			fi
		else
			if ! grep -qx 'root' "$WORK/$name.pane" &&
			    ! grep -qx '\[exit 0\]' "$WORK/$name.pane"; then
				ok "sudo-deny: a denial at the provider refuses the command" \
				    "$(sed -n '/Waiting for approval/,$p' "$WORK/$name.pane" |
				    tail -n +2 | tr '\n' ' ')"
			else
				not_ok "sudo-deny: denial refuses the command" \
				    "the command ran" @evidence
			fi
		fi
	done
}

#-------------------------------------------------------------- kiosk

test_kiosk() {
	local name=kiosk code l pw uid home shell miss f
	write_conf /etc/pam_oidc/login.conf pam-public "kiosk = yes" \
	    "auto_register = yes" "shell = /bin/bash" "wait = poll" \
	    "qr = utf8" "role_claim = roles" "role_map = user = users"
	if getent passwd carol >/dev/null; then
		not_ok "kiosk: precondition" "carol exists before the login"
		return
	fi
	mark "$name"
	# login(1) with no user name, as agetty --skip-login runs it.
	pane_start "$name" "/bin/login"
	if ! pane_wait "$name" 'Waiting for approval|login: *$|\[exit [0-9]+\]'; then
		not_ok "kiosk: login shows the sign-in" "nothing after ~60 s" \
		    @evidence
		return
	fi
	if ! grep -q 'Waiting for approval' "$WORK/$name.pane"; then
		not_ok "kiosk: login starts PAM without asking for a name" \
		    "login asked for a name or ended" @evidence
		return
	fi
	if grep -qF "Sign-in to login on" "$WORK/$name.pane" &&
	    ! grep -qE 'login: *$' "$WORK/$name.pane"; then
		ok "kiosk: login asks no name; the screen shows the kiosk context line"
	else
		not_ok "kiosk: the kiosk context line" "missing" "$WORK/$name.pane"
	fi
	qr_check "$name"
	code="$(pane_code "$name")"
	if ! approve "$code" carol approve >"$WORK/$name.approve" 2>&1; then
		not_ok "kiosk: carol approves code '$code'" "approve.sh failed" \
		    "$WORK/$name.approve" @evidence
		return
	fi
	if ! pane_wait "$name" 'carol@[^ ]*:.*\$ *$|\[exit [0-9]+\]|incorrect' ||
	    ! grep -qE 'carol@[^ ]*:.*\$ *$' "$WORK/$name.pane"; then
		not_ok "kiosk: a shell as carol" "no shell prompt" @evidence
		return
	fi
	"${T[@]}" send-keys -t "$name" 'id' Enter
	if ! pane_wait "$name" 'uid=[0-9]+\(carol\)'; then
		not_ok "kiosk: id in carol's shell" "no output" @evidence
		return
	fi
	l="$(id_line "$name" carol)"
	evidence
	if [[ "$l" == *"(users)"* ]]; then
		ok "kiosk: carol's approval gives a shell as carol with group users" "$l"
	else
		ok "kiosk: carol's approval gives a shell as carol" "$l"
		not_ok "kiosk: carol's shell has group users (role_map user = users)" \
		    "missing: $l" @evidence
	fi
	pw="$(getent passwd carol)"
	IFS=: read -r _ _ uid _ _ home shell <<<"$pw"
	if [ -n "$pw" ] && [[ "$l" == "uid=$uid(carol)"* ]] &&
	    [ "$home" = /home/carol ] && [ "$shell" = /bin/bash ]; then
		ok "kiosk: carol was created in /etc/passwd at sign-in" "$pw"
	else
		not_ok "kiosk: carol in /etc/passwd with home /home/carol and shell /bin/bash" \
		    "entry: '${pw:-none}'" @evidence
	fi
	miss=""
	for f in $(cd /etc/skel && ls -A); do
		[ -e "/home/carol/$f" ] || miss="$miss $f"
	done
	if [ -d /home/carol ] && [ -z "$miss" ] &&
	    [ "$(stat -c %U /home/carol)" = carol ]; then
		ok "kiosk: /home/carol is carol's and holds /etc/skel" \
		    "$(find /home/carol -mindepth 1 -maxdepth 1 -printf '%f ')"
	else
		ls -la /home/carol >"$WORK/kiosk.home" 2>&1
		not_ok "kiosk: /home/carol populated from /etc/skel" \
		    "missing:${miss:- (owner)}" "$WORK/kiosk.home"
	fi
	"${T[@]}" send-keys -t "$name" 'exit' Enter
	rc_wait "$name" >/dev/null
}

#-------------------------------------------------------------- the run

step() {
	if "$2"; then
		return 0
	fi
	not_ok "setup: $1" "failed" "$WORK/sshd.log" "$WORK/syslog-sink.err" \
	    "$WORK/idp/idp.log"
	exit 1
}

step "private /etc, /home, /run, /var/log, /var/mail, /dev and /dev/log" \
    setup_system
step "local users alice, bob and dave" setup_accounts
start_idp() {
	idp_start "$WORK/idp" IDP_INTERVAL=1 && [ -n "${IDP_URL:-}" ]
}
step "test provider" start_idp
step "the machine's /etc/pam.d/sshd kept aside" snippet_save
pam_service sshd
pam_service sudo
pam_service login
step "sudoers drop-in" setup_sudo
step "sshd on 127.0.0.1" setup_sshd
step "tmux" setup_tmux

test_ssh
test_ssh_persist
test_sudo
test_kiosk
test_ssh_snippet
test_screens
test_ssh_disconnect
# First SSH sign-in of a new person through the NSS module.
# shellcheck source=tests/e2e/nss.sh
. "$HERE/nss.sh"
test_ssh_first_signin
