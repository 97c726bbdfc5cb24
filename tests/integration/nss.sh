#!/usr/bin/env bash
# The NSS module (libnss_oidc) and first sign-ins over SSH, sourced by
# run.sh: test_nss runs this file again in a private mount namespace,
# where the built module is on the loader's path (an overlay of the
# library directory), /etc is a copy with "passwd: files oidc", and
# /var/lib, /home and /run are private. The machine's own files are
# never touched; test_nss checks that afterwards.
#
# What it shows: getent passwd and group through the module under
# valgrind; the NSS interface itself (nssdrive: ERANGE, enumeration,
# threads); an unprivileged process reads registered people and holds no
# name; 200 random names sent to the machine's sshd leave at most
# register_max_pending reservations, none for an existing account, all
# gone after register_pending_ttl; the rate limit; concurrent connections
# and sign-ins for one new name end with one account; registration
# through PAM keeps the held UID and makes the home; another issuer is
# refused the name; a held name opens nothing else; pam-oidc users lists
# and removes.
# shellcheck shell=bash

# ns_left NS: the processes still in mount namespace NS.
nss_ns_left() {
	local p n
	for p in /proc/[0-9]*; do
		n="$(readlink "$p/ns/mnt" 2>/dev/null)" || continue
		[ "$n" = "$1" ] && echo "${p#/proc/}"
	done
}

# What the tests must leave as it is on the machine.
nss_machine_state() {
	sha256sum /etc/passwd /etc/group /etc/nsswitch.conf 2>&1
	ls -d /var/lib/pam_oidc "$(dirname "$(readlink -f \
	    "$(find /lib /usr/lib -name libnss_files.so.2 | head -n 1)")")/libnss_oidc.so.2" \
	    2>&1
}

test_nss() {
	local t before after ns left line
	if [ "$(id -u)" -ne 0 ]; then
		echo "skip - nss: needs root (a mount namespace and sshd)"
		return
	fi
	if [ -n "${ASAN_PRELOAD:-}" ]; then
		echo "skip - nss: an ASan build cannot be loaded into getent and sshd"
		return
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "skip - nss: unshare -m --propagation private is not permitted"
		return
	fi
	for t in /usr/sbin/sshd ssh ssh-keygen valgrind setpriv getent useradd \
	    groupadd python3; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "skip - nss: $t is not installed"
			return
		fi
	done
	if [ ! -x "$BUILD_ABS/nssdrive" ]; then
		not_ok "nss: the test driver" "no $BUILD_ABS/nssdrive (make it)"
		return
	fi
	before="$(nss_machine_state)"
	mkdir -p "$WORK/nss"
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) passed=$((passed + 1)) ;;
		"not ok - "*) failed=$((failed + 1)) ;;
		esac
		echo "$line"
	done < <(unshare -m --propagation private bash \
	    "$ROOT/tests/integration/nss.sh" --inner "$BUILD_ABS" \
	    "$WORK/nss" 2>&1)
	if [ ! -f "$WORK/nss/done" ]; then
		not_ok "nss: the suite ran to its end" "it stopped early"
	fi
	ns="$(cat "$WORK/nss/ns" 2>/dev/null)"
	left="$([ -n "$ns" ] && nss_ns_left "$ns" | tr '\n' ' ')"
	if [ -z "$left" ]; then
		ok "nss: no process is left in the private namespace"
	else
		not_ok "nss: no process left" "still running: $left"
		# shellcheck disable=SC2086
		kill -9 $left 2>/dev/null
	fi
	after="$(nss_machine_state)"
	if [ "$before" = "$after" ]; then
		ok "nss: the machine's passwd, group, nsswitch.conf, /var/lib and library directory are unchanged"
	else
		not_ok "nss: the machine is unchanged" \
		    "$(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"
	fi
}

if [ "${1:-}" != "--inner" ]; then
	return 0 2>/dev/null || exit 0
fi

###########################################################################
# Inside the private mount namespace.
###########################################################################
set -uo pipefail
BUILD_ABS="$2"
WORK="$3"
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NSS_ENV=()
STORE=/var/lib/pam_oidc/users
SSHD_PID=""
readlink /proc/self/ns/mnt >"$WORK/ns"

ok() { echo "ok - nss: $1"; }
not_ok() {
	echo "not ok - nss: $1: $2"
	[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/    | /' "$3" | tail -n 30
}
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want $2, got $3" "${4:-}"; fi
}
cleanup() {
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID"
	idp_stop "$WORK/idp"
	idp_stop "$WORK/idp2"
}
trap cleanup EXIT

die() {
	not_ok "setup" "$1"
	exit 1
}

# A block of 1000 ids that no user or group of the copy uses.
free_block() {
	local b
	for ((b = 70000; b < 2000000; b += 1000)); do
		if ! awk -F: -v lo="$b" -v hi="$((b + 999))" \
		    '$3 >= lo && $3 <= hi { found = 1 } END { exit !found }' \
		    /etc/passwd /etc/group; then
			echo "$b"
			return
		fi
	done
}

setup() {
	local lib
	lib="$(dirname "$(readlink -f \
	    "$(find /lib /usr/lib -name libnss_files.so.2 | head -n 1)")")"
	mkdir -p "$WORK"/{nsslib,vl-up,vl-work,etc,cache,pam.d} &&
	    chmod 0700 "$WORK/cache" &&
	    cp "$BUILD_ABS/libnss_oidc.so.2" "$WORK/nsslib/" || return 1
	# The module where glibc looks for it, in this namespace only.
	mount -t overlay -o "lowerdir=$WORK/nsslib:$lib" pam_oidc-nss "$lib" &&
	    mount -t overlay -o \
		"lowerdir=/var/lib,upperdir=$WORK/vl-up,workdir=$WORK/vl-work" \
		pam_oidc-varlib /var/lib &&
	    cp -a /etc/. "$WORK/etc/" && mount --bind "$WORK/etc" /etc &&
	    mount -t tmpfs -o mode=0755 pam_oidc-home /home &&
	    mount -t tmpfs -o mode=0755 pam_oidc-run /run &&
	    install -d -m 0755 /run/sshd || return 1
	sed -i -E '/^(passwd|group):/d' /etc/nsswitch.conf &&
	    printf 'passwd: files oidc\ngroup: files oidc\n' >>/etc/nsswitch.conf
	rm -rf /var/lib/pam_oidc
	MIN="$(free_block)"
	[ -n "$MIN" ] || return 1
	idp_start "$WORK/idp2" IDP_INTERVAL=1 || return 1
	IDP2_URL="$IDP_URL" IDP2_DIR="$IDP_DIR" IDP2_PORT="$IDP_PORT"
	idp_start "$WORK/idp" IDP_INTERVAL=1 || return 1
	# Names the tests sign in with must be new here.
	for u in gina hank carol dave; do
		getent passwd "$u" >/dev/null && userdel "$u" >/dev/null 2>&1
		getent group "$u" >/dev/null && groupdel "$u" >/dev/null 2>&1
	done
	# An account and a group that own the first two ids of the range.
	useradd -M -u "$MIN" -s /usr/sbin/nologin nssfiles 2>/dev/null &&
	    groupadd -g "$((MIN + 1))" nssgrouponly || return 1
	host_conf 20 1000 600
}

# host_conf MAX_PENDING RATE TTL: /etc/pam_oidc.conf, read by the module.
host_conf() {
	write_conf /etc/pam_oidc.conf pam-public "wait = poll" \
	    "auto_register = yes" "register_with = nss" \
	    "register_uid_min = $MIN" "register_uid_max = $((MIN + 999))" \
	    "register_max_pending = $1" "register_rate = $2" \
	    "register_pending_ttl = $3" "role_claim = roles" \
	    "role_map = user = users"
}

start_sshd() {
	SSH_PORT="$(free_port)"
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey" || return 1
	cat >"$WORK/sshd_config" <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $WORK/hostkey
PidFile $WORK/sshd.pid
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 100
LogLevel VERBOSE
CONF
	/usr/sbin/sshd -D -e -f "$WORK/sshd_config" >"$WORK/sshd.log" 2>&1 &
	SSHD_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "Server listening" "$WORK/sshd.log" && return 0
		sleep 0.1
	done
	return 1
}

# knock NAME...: one SSH connection per name, four at a time; each asks
# for the user before it is refused, as a scanner's would.
knock() {
	local u pids=()
	for u in "$@"; do
		ssh -F /dev/null -n -o BatchMode=yes -o StrictHostKeyChecking=no \
		    -o UserKnownHostsFile=/dev/null -o ConnectTimeout=20 \
		    -o PubkeyAuthentication=no \
		    -o PreferredAuthentications=publickey -p "$SSH_PORT" \
		    "$u@127.0.0.1" true >/dev/null 2>&1 &
		pids+=("$!")
		if [ "${#pids[@]}" -eq 4 ]; then
			wait "${pids[@]}"
			pids=()
		fi
	done
	[ "${#pids[@]}" -eq 0 ] || wait "${pids[@]}"
	return 0
}

# random_names N: N names that no user or group of the copy has.
random_names() {
	python3 -c '
import random, string, sys
r = random.SystemRandom()
for _ in range(int(sys.argv[1])):
    print("s" + "".join(r.choice(string.ascii_lowercase) for _ in range(9)))
' "$1" | while read -r n; do
		getent passwd "$n" >/dev/null || getent group "$n" >/dev/null ||
		    echo "$n"
	done
}

pending_names() {
	[ -f "$STORE" ] && awk '$1 == "pending" { print $2 }' "$STORE"
}

#---------------------------------------------------------------- tests

# The module exports only the NSS entry points and needs libc alone.
test_module_shape() {
	local so="$BUILD_ABS/libnss_oidc.so.2" syms needed
	syms="$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRW]$/ {print $3}' |
	    grep -v '^_nss_oidc_' | tr '\n' ' ')"
	expect "libnss_oidc exports only _nss_oidc_* symbols" "" "$syms"
	needed="$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
	    grep -vE '^(libc\.so\.6|ld-linux[-a-z0-9_.]*\.so\.[0-9]+)$' |
	    tr '\n' ' ')"
	expect "libnss_oidc needs libc and the loader alone (no curl, jansson, OpenSSL or PAM)" \
	    "" "$needed"
}

# Another source of names after oidc (the wrong order; the module must
# still never stand in front of it): extrausers, with a user that has the
# next id of the range and a group of its own.
other_source() {
	install -d -m 0755 /var/lib/extrausers &&
	    echo "xsource:x:$((MIN + 2)):$((MIN + 2))::/nonexistent:/bin/sh" \
		>/var/lib/extrausers/passwd &&
	    echo "xgroup:x:$((MIN + 3)):" >/var/lib/extrausers/group &&
	    sed -i -E 's/^(passwd|group): files oidc$/\1: files oidc extrausers/' \
		/etc/nsswitch.conf
}

test_scanner() {
	local names=() existing=() n held bad u t0 left i clash
	if ! other_source; then
		not_ok "another name service source" "extrausers setup failed"
		return
	fi
	# Existing accounts first, while the bound is far.
	for u in root daemon bin sys nobody sshd nssfiles; do
		getent passwd "$u" >/dev/null && existing+=("$u")
	done
	knock "${existing[@]}" nssgrouponly xsource xgroup
	if [ -z "$(pending_names)" ] && [ "$(getent passwd root | cut -d: -f3)" = 0 ] &&
	    [ "$(getent passwd nssfiles | cut -d: -f3)" = "$MIN" ] &&
	    [ "$(getent group nssgrouponly | cut -d: -f3)" = "$((MIN + 1))" ]; then
		ok "existing users (${existing[*]}) and a group's name are never held or shadowed"
	else
		not_ok "existing accounts never held" "held: $(pending_names | tr '\n' ' ')"
	fi
	if [ "$(getent passwd xsource | cut -d: -f3)" = "$((MIN + 2))" ] &&
	    [ "$(getent group xgroup | cut -d: -f3)" = "$((MIN + 3))" ] &&
	    ! grep -qE ' (xsource|xgroup) ' "$STORE" 2>/dev/null; then
		ok "names another source (listed after oidc) knows are never held"
	else
		not_ok "another source's names never held" \
		    "$(getent passwd xsource) / store: $(pending_names | tr '\n' ' ')"
	fi
	mapfile -t names < <(random_names 200)
	n=${#names[@]}
	knock "${names[@]}"
	held="$(pending_names | wc -l)"
	expect "a scan of $n random names holds register_max_pending (20) of them, no more" \
	    20 "$held" "$STORE"
	bad=""
	for u in $(pending_names); do
		printf '%s\n' "${names[@]}" | grep -qx "$u" || bad="$bad $u"
	done
	# No held id is an id of the files (nssfiles has MIN, a group MIN+1).
	clash="$(comm -12 <(cut -d: -f3 /etc/passwd /etc/group | sort -u) \
	    <(awk '$1 == "pending" { print $3 }' "$STORE" | sort -u))"
	if [ -z "$bad" ] && [ -z "$clash" ]; then
		ok "held ids are free ids of the range, never a file's UID or GID" \
		    && echo "    $(awk '$1 == "pending" { print $3 }' "$STORE" | sort -n | tr '\n' ' ')"
	else
		not_ok "held ids are free" "names:$bad ids: $clash" "$STORE"
	fi
	if ! grep -qE "^pending [a-z]+ ($((MIN + 2))|$((MIN + 3))) " "$STORE"; then
		ok "ids another source uses (a UID, a GID) are never held"
	else
		not_ok "another source's ids never held" "reused" "$STORE"
	fi
	sed -i -E 's/^(passwd|group): files oidc extrausers$/\1: files oidc/' \
	    /etc/nsswitch.conf
	u="$(pending_names | head -n 1)"
	if [ -n "$u" ] && getent passwd "$u" | grep -q ':/usr/sbin/nologin$'; then
		ok "a held name shows the shell /usr/sbin/nologin to other processes" \
		    && echo "    $(getent passwd "$u")"
	else
		not_ok "a held name shows nologin" "$(getent passwd "$u")"
	fi
	# Expiry: a store of its own, register_pending_ttl = 6.
	rm -f "$STORE"
	host_conf 20 1000 6
	mapfile -t names < <(random_names 25)
	knock "${names[@]}"
	held="$(pending_names | wc -l)"
	t0=$SECONDS
	for ((i = 0; i < 300; i++)); do
		left=0
		for u in $(pending_names); do
			getent passwd "$u" >/dev/null && left=$((left + 1))
		done
		[ "$left" -eq 0 ] && break
		sleep 0.2
	done
	if [ "$held" -ge 1 ] && [ "$left" -eq 0 ]; then
		ok "$held reservations with register_pending_ttl = 6 are gone from NSS after $((SECONDS - t0)) s"
	else
		not_ok "reservations expire" "$held held, $left still answered after 60 s"
	fi
	mapfile -t names < <(random_names 1)
	knock "${names[0]}"
	if [ "$(pending_names)" = "${names[0]}" ] &&
	    [ -z "$(find /home -mindepth 1 -maxdepth 1)" ]; then
		ok "the next write keeps only the new reservation; no home was made for any"
	else
		not_ok "expired reservations leave nothing" \
		    "store: $(pending_names | tr '\n' ' ') home: $(ls /home)"
	fi
	rm -f "$STORE"
	host_conf 20 1000 600
}

test_rate() {
	local names t0 held limit
	rm -f "$STORE"
	host_conf 50 5 600
	mapfile -t names < <(random_names 30)
	t0=$SECONDS
	knock "${names[@]}"
	held="$(pending_names | wc -l)"
	# Five a minute; a run longer than a minute may open another window.
	limit=$((5 * (1 + (SECONDS - t0) / 60)))
	if [ "$held" -ge 5 ] && [ "$held" -le "$limit" ]; then
		ok "register_rate = 5: ${#names[@]} names in $((SECONDS - t0)) s hold $held"
	else
		not_ok "register_rate" "$held held, at most $limit allowed" "$STORE"
	fi
	rm -f "$STORE"
	host_conf 20 1000 600
}

test_concurrent_same_name() {
	local name i pids=()
	name="$(random_names 1)"
	for ((i = 0; i < 10; i++)); do
		ssh -F /dev/null -n -o BatchMode=yes -o StrictHostKeyChecking=no \
		    -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no \
		    -o PreferredAuthentications=publickey -p "$SSH_PORT" \
		    "$name@127.0.0.1" true >/dev/null 2>&1 &
		pids+=("$!")
	done
	wait "${pids[@]}"
	expect "10 concurrent connections for one new name hold it once" 1 \
	    "$(grep -c "^pending $name " "$STORE")" "$STORE"
}

test_unprivileged() {
	local before name
	name="$(random_names 1)"
	before="$(sha256sum "$STORE")"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    getent passwd "$name" >/dev/null
	getent passwd "$name" >/dev/null
	if [ "$before" = "$(sha256sum "$STORE")" ] &&
	    ! grep -q " $name " "$STORE"; then
		ok "neither an unprivileged process nor root outside sshd holds a name"
	else
		not_ok "only sshd holds names" "the store changed" "$STORE"
	fi
	if setpriv --reuid=65534 --regid=65534 --clear-groups \
	    sh -c "echo x >>$STORE" 2>/dev/null; then
		not_ok "the store is root's" "nobody could write it"
	else
		ok "an unprivileged process cannot write the store"
	fi
}

# sign_in TAG NAME SERVICE CONF: a pamdrive login of NAME in the
# background, its output in WORK/TAG.out (new: no earlier code is read).
sign_in() {
	rm -f "$WORK/$1.out"
	: >"$WORK/$1.out"
	write_service "$WORK/pam.d" "$3" "$4"
	login_start "$WORK/$1.out" "$3" "$2"
}

test_registration() {
	local pids=() i t code uid rc all=0 pw
	write_conf "$WORK/sshd.conf" pam-public "wait = poll" \
	    "auto_register = yes" "register_with = nss" \
	    "register_uid_min = $MIN" "register_uid_max = $((MIN + 999))"
	knock gina
	uid="$(awk '$1 == "pending" && $2 == "gina" { print $3 }' "$STORE")"
	if [ -z "$uid" ]; then
		not_ok "sshd holds gina" "no reservation" "$STORE"
		return
	fi
	# Three sign-ins of gina at once, as three SSH connections would.
	write_service "$WORK/pam.d" sshd "$WORK/sshd.conf"
	for i in 1 2 3; do
		login_start "$WORK/gina$i.out" sshd gina
		pids+=("$LOGIN_PID")
	done
	for i in 1 2 3; do
		code=""
		for ((t = 0; t < 300; t++)); do
			code="$(sed -n 's/^.*Code:  *\([^ ]*\).*$/\1/p' \
			    "$WORK/gina$i.out" | head -n 1)"
			[ -n "$code" ] && break
			sleep 0.1
		done
		[ -n "$code" ] && approve "$code" gina approve
	done
	for i in 1 2 3; do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		[ "$rc" -eq 0 ] || all=$rc
	done
	expect "three concurrent first sign-ins of gina succeed" 0 "$all" \
	    "$WORK/gina1.out"
	expect "they end with one account" 1 "$(grep -c '^user gina ' "$STORE")" \
	    "$STORE"
	pw="$(getent passwd gina)"
	if [ "$pw" = "gina:*:$uid:$uid:pam_oidc:/home/gina:/bin/bash" ]; then
		ok "the account keeps the held UID $uid, home /home/gina, shell /bin/bash" &&
		    echo "    $pw"
	else
		not_ok "the account keeps the held UID" "got '$pw', held $uid"
	fi
	if grep -qE "^user gina $uid $uid [0-9]+ /home/gina /bin/bash $IDP_URL g7h8i9j0-0007\$" \
	    "$STORE"; then
		ok "the registry binds gina to the issuer and sub that signed in"
	else
		not_ok "gina bound to iss and sub" "line differs" "$STORE"
	fi
	if [ "$(stat -c '%u %g %a' /home/gina 2>&1)" = "$uid $uid 700" ] &&
	    [ -f /home/gina/.bashrc ] &&
	    [ "$(stat -c %u /home/gina/.bashrc)" = "$uid" ]; then
		ok "/home/gina is gina's (0700) and holds /etc/skel"
	else
		not_ok "the home" "$(ls -la /home/gina 2>&1 | tr '\n' ' ')"
	fi
	expect "id from another process shows the same" \
	    "uid=$uid(gina) gid=$uid(gina) groups=$uid(gina)" "$(id gina)"
	grep -q "^SYSLOG .*auto_register: registered gina with uid $uid" \
	    "$WORK"/gina[123].out &&
	    ok "the registration is logged once with the UID" ||
	    not_ok "registration log" "missing" "$WORK/gina1.out"
	expect "the registration is logged once, not three times" 1 \
	    "$(cat "$WORK"/gina[123].out | grep -c 'auto_register: registered gina')"
	# The same person again: the same account.
	sign_in gina-again gina sshd "$WORK/sshd.conf"
	code="$(wait_code "$WORK/gina-again.out")" && approve "$code" gina approve
	login_wait
	expect "a second sign-in of gina reuses the account" "0 1" \
	    "$LOGIN_RC $(grep -c "^user gina $uid " "$STORE")" \
	    "$WORK/gina-again.out"
}

test_other_issuer() {
	local code
	write_conf "$WORK/other.conf" pam-public "wait = poll" \
	    "auto_register = yes" "register_with = nss" \
	    "register_uid_min = $MIN" "register_uid_max = $((MIN + 999))"
	sed -i "s|^issuer = .*|issuer = $IDP2_URL|; s|^ca_file = .*|ca_file = $IDP2_DIR/ca.pem|" \
	    "$WORK/other.conf"
	sign_in gina-other gina sshd "$WORK/other.conf"
	if code="$(wait_code "$WORK/gina-other.out")"; then
		bash "$IDP/approve.sh" "$IDP2_DIR" "$IDP2_PORT" "$code" gina \
		    approve >/dev/null
	fi
	login_wait
	expect "the name gina from another issuer is refused" 7 "$LOGIN_RC" \
	    "$WORK/gina-other.out"
	if grep -qF "gina is registered to iss $IDP_URL sub g7h8i9j0-0007, not to iss $IDP2_URL sub g7h8i9j0-0007: refused" \
	    "$WORK/gina-other.out"; then
		ok "the refusal is logged naming both identities"
	else
		not_ok "the refusal names both" "no such log line" \
		    "$WORK/gina-other.out"
	fi
	expect "the account stays gina's" 1 \
	    "$(grep -c "^user gina .* $IDP_URL g7h8i9j0-0007\$" "$STORE")"
}

test_without_reservation() {
	local code
	# sshd refused a name it did not find: no account after the fact.
	sign_in dave dave sshd "$WORK/sshd.conf"
	code="$(wait_code "$WORK/dave.out")" && approve "$code" dave approve
	login_wait
	expect "over sshd, a name without reservation is not registered" \
	    "10 0" "$LOGIN_RC $(grep -c ' dave ' "$STORE")" "$WORK/dave.out"
	# A kiosk (login) registers directly.
	sign_in hank hank login "$WORK/sshd.conf"
	code="$(wait_code "$WORK/hank.out")" && approve "$code" hank approve
	login_wait
	expect "a kiosk login registers a new name directly" "0 1" \
	    "$LOGIN_RC $(grep -c '^user hank ' "$STORE")" "$WORK/hank.out"
}

test_nsswitch_without_oidc() {
	local code
	cp /etc/nsswitch.conf "$WORK/nsswitch.conf"
	sed -i -E 's/^(passwd|group): files oidc$/\1: files/' /etc/nsswitch.conf
	sign_in dave-kiosk dave login "$WORK/sshd.conf"
	code="$(wait_code "$WORK/dave-kiosk.out")" && approve "$code" dave approve
	login_wait
	cp "$WORK/nsswitch.conf" /etc/nsswitch.conf
	if [ "$LOGIN_RC" = 4 ] &&
	    grep -q "add oidc to the passwd and group lines of /etc/nsswitch.conf" \
	    "$WORK/dave-kiosk.out"; then
		ok "without oidc in nsswitch.conf the sign-in fails and the log says what to add"
	else
		not_ok "nsswitch.conf without oidc" "rc $LOGIN_RC" \
		    "$WORK/dave-kiosk.out"
	fi
}

test_held_name_opens_nothing_else() {
	knock carol
	cat >"$WORK/pam.d/other" <<SVC
auth    sufficient pam_permit.so
account required $BUILD_ABS/pam_oidc.so
SVC
	login_start "$WORK/carol.out" other carol
	login_wait
	if grep -q '^RESULT acct=Permission denied' "$WORK/carol.out" &&
	    grep -q 'carol is held for a first sign-in' "$WORK/carol.out"; then
		ok "another module's sign-in of a held name fails the account check"
	else
		not_ok "a held name opens nothing else" "account check passed" \
		    "$WORK/carol.out"
	fi
}

test_nss_interface() {
	local uid n out="$WORK/nssdrive.out" vg="$WORK/vg"
	uid="$(getent passwd gina | cut -d: -f3)"
	n="$(awk -v now="$(date +%s)" \
	    '$1 == "user" || ($1 == "pending" && $6 > now + 5)' "$STORE" | wc -l)"
	if valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    "$BUILD_ABS/nssdrive" "$BUILD_ABS/libnss_oidc.so.2" gina "$uid" \
	    nosuchperson "$n" >"$out" 2>"$vg.nssdrive"; then
		ok "nssdrive under valgrind: $(grep -c '^ok' "$out") checks of the NSS interface, no error, no leak"
	else
		not_ok "nssdrive" "a check failed or valgrind found something" "$out"
		sed 's/^/    | /' "$vg.nssdrive" | tail -n 20
	fi
	for q in "passwd" "group" "passwd gina" "group $uid" "passwd $uid"; do
		# shellcheck disable=SC2086
		if valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect,possible \
		    getent $q >"$vg.out" 2>"$vg.err" &&
		    grep -q "^gina:" "$vg.out" && [ ! -s "$vg.err" ]; then
			ok "getent $q through the module under valgrind: no error, no leak"
		else
			not_ok "getent $q under valgrind" "failed" "$vg.err"
		fi
	done
	if [ "$(setpriv --reuid=65534 --regid=65534 --clear-groups getent passwd gina)" = \
	    "$(getent passwd gina)" ]; then
		ok "an unprivileged process reads a registered person"
	else
		not_ok "unprivileged read" "differs"
	fi
}

test_users_command() {
	local out="$WORK/users.out" uid
	uid="$(getent passwd gina | cut -d: -f3)"
	"$BUILD_ABS/pam-oidc" users >"$out" 2>&1
	if grep -qE "^gina +$uid +registered +- +$IDP_URL +g7h8i9j0-0007" "$out" &&
	    grep -qE "^carol +[0-9]+ +reserved +in [0-9]+ s" "$out"; then
		ok "pam-oidc users lists registered and held people"
	else
		not_ok "pam-oidc users" "listing differs" "$out"
	fi
	"$BUILD_ABS/pam-oidc" users remove gina --home >"$out" 2>&1
	if grep -q "^removed gina (uid $uid" "$out" &&
	    grep -q "^removed the home /home/gina" "$out" &&
	    [ ! -e /home/gina ] && ! getent passwd gina >/dev/null &&
	    grep -q "^retired gina $uid $uid " "$STORE"; then
		ok "pam-oidc users remove gina --home: gone, home removed, UID retired"
	else
		not_ok "pam-oidc users remove" "not as expected" "$out"
	fi
	"$BUILD_ABS/pam-oidc" users remove hank >"$out" 2>&1
	grep -q "^kept the home /home/hank (--home removes it)" "$out" &&
	    [ -d /home/hank ] &&
	    ok "without --home the home is kept, and it says so" ||
	    not_ok "remove without --home" "output differs" "$out"
}

#---------------------------------------------------------------- the run

setup || die "private namespace, module on the loader path, provider"
start_sshd || die "sshd on 127.0.0.1"
test_module_shape
test_scanner
test_rate
test_concurrent_same_name
test_unprivileged
test_registration
test_other_issuer
test_without_reservation
test_nsswitch_without_oidc
test_held_name_opens_nothing_else
test_nss_interface
test_users_command
touch "$WORK/done"
