#!/usr/bin/env bash
# The built package on this machine: install it, check what it put where,
# sign in through the installed module against the bundled provider,
# enable its pam-auth-update profile, remove and purge it, and check that
# nothing of it is left but what policy keeps (dpkg's log).
#   run.sh DEB_DIR BUILD_DIR
#
# It changes the machine (dpkg's database, /etc, /lib, /usr, /var/cache),
# so it runs only as root and only where no copy of pam_oidc is installed,
# by the package or by `make install`; it purges the package whatever
# happens. Every dpkg and pam-auth-update run happens in a private mount
# namespace over copies of /etc/pam.d, /var/lib/pam and debconf's
# database, so the machine's real PAM stacks never name pam_oidc.so, not
# even while the test has the profile enabled.
set -uo pipefail

DEB_DIR="$(cd "${1:-build-deb}" && pwd)"
BUILD_ABS="$(cd "${2:-build}" && pwd)"
. "$(dirname "$0")/../integration/lib.sh"
PKG=libpam-oidc
CACHE=/var/cache/pam_oidc
DOC=/usr/share/doc/$PKG

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1: $2"
	[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/    | /' "$3" | tail -n 40
}
# check NAME COMMAND...: ok when COMMAND succeeds.
check() {
	local name="$1"
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "false: $*"; fi
}
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want $2, got $3" "${4:-}"; fi
}
skip() {
	echo "skip - $1"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
}

# The package's state as dpkg-query tells it; "absent" when dpkg does not
# know it at all.
pkg_status() {
	dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null || echo absent
}

debs=("$DEB_DIR"/"$PKG"_*.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] ||
    { echo "deb: want one ${PKG}_*.deb in $DEB_DIR" >&2; exit 1; }
DEB="${debs[0]}"
[ -x "$BUILD_ABS/pamdrive" ] ||
    { echo "deb: no $BUILD_ABS/pamdrive; make $BUILD_ABS/pamdrive" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
case "$(pkg_status)" in
absent | "unknown ok not-installed") ;;
*) skip "$PKG is already known to dpkg ($(pkg_status)); this test installs and purges it" ;;
esac
# Every file of the package, and the cache, must be new: a copy from
# `make install` would be overwritten, and the purge would take it.
PATHS="$(dpkg-deb --fsys-tarfile "$DEB" | tar -t | sed 's|^\./|/|; s|/$||' |
    grep -v '^/\?$')"
while IFS= read -r p; do
	[ -e "$p" ] && [ ! -d "$p" ] &&
	    skip "$p exists already (make install?); this test would replace it"
done <<<"$PATHS"
[ -e "$CACHE" ] && skip "$CACHE exists already; the purge would remove it"
unshare -m --propagation private true 2>/dev/null ||
    skip "unshare -m --propagation private is not permitted here"
for d in /etc/pam.d /var/lib/pam /var/cache/debconf; do
	[ -d "$d" ] || skip "no $d on this machine"
done

WORK="$(mktemp -d /tmp/pam_oidc-deb.XXXXXX)"
chmod 0755 "$WORK"
NS="$WORK/ns"
INSTALLED=0
cleanup() {
	idp_stop "$WORK/idp"
	if [ "$INSTALLED" = 1 ] && [ "$(pkg_status)" != absent ]; then
		echo "deb: purging $PKG"
		ns dpkg --purge "$PKG" >/dev/null 2>&1 ||
		    echo "deb: could not purge $PKG; run dpkg --purge $PKG" >&2
	fi
	[ "$INSTALLED" = 1 ] && rm -rf "$CACHE"
	rm -rf "$WORK"
}
trap cleanup EXIT

# Copies of what pam-auth-update reads and writes, and of the originals to
# compare with. Debconf's password database is left out (an empty one
# stands in): pam-auth-update asks no passwords.
mkdir -p "$NS" "$WORK/orig"
cp -a /etc/pam.d "$NS/pam.d"
cp -a /var/lib/pam "$NS/pam"
mkdir -m 0755 "$NS/debconf"
find /var/cache/debconf -maxdepth 1 -type f ! -name 'passwords.dat*' \
    -exec cp -a {} "$NS/debconf/" \;
install -m 0600 /dev/null "$NS/debconf/passwords.dat"
cp -a /etc/pam.d "$WORK/orig/pam.d"
cp -a /var/lib/pam "$WORK/orig/pam"

# ns COMMAND...: COMMAND with the copies mounted over the real directories.
ns() {
	DEBIAN_FRONTEND=noninteractive unshare -m --propagation private \
	    sh -c 'mount --bind "$1/pam.d" /etc/pam.d &&
		mount --bind "$1/pam" /var/lib/pam &&
		mount --bind "$1/debconf" /var/cache/debconf &&
		shift && exec "$@"' ns "$NS" "$@" </dev/null
}

# What existed before the install: shared directories stay after the purge.
while IFS= read -r p; do
	[ -e "$p" ] && echo "$p"
done <<<"$PATHS" >"$WORK/existed"

MA="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)"
UNIX="$(dpkg -L libpam-modules 2>/dev/null | grep '/pam_unix\.so$' | head -n 1)"
MOD="/lib/$MA/security/pam_oidc.so"

# --- install
INSTALLED=1
ns dpkg -i "$DEB" >"$WORK/install.out" 2>&1
expect "dpkg -i installs the package" 0 $? "$WORK/install.out"
expect "dpkg says installed" "install ok installed" "$(pkg_status)"
dpkg -L "$PKG" >"$WORK/list" 2>&1

# mode owner group FILE
mog() { stat -c '%a %U %G' "$1" 2>&1; }
expect "the module is $MOD, 0644 root" "644 root root" "$(mog "$MOD")"
expect "the module is beside pam_unix.so ($UNIX)" \
    "$(dirname "$UNIX")" "$(dirname "$(grep '/pam_oidc\.so$' "$WORK/list")")"
ldd "$MOD" >"$WORK/ldd" 2>&1 && ! grep -q 'not found' "$WORK/ldd" &&
    ok "every library the module links is installed" ||
    not_ok "module's libraries" "missing" "$WORK/ldd"
expect "pam-oidc is /usr/sbin/pam-oidc, 0755 root" "755 root root" \
    "$(mog /usr/sbin/pam-oidc)"
want="$(sed -n 's/^#define OIDC_VERSION "\(.*\)"$/\1/p' "$ROOT/pam_oidc/oidc.h")"
/usr/sbin/pam-oidc --version >"$WORK/version" 2>&1
grep -qF "$want" "$WORK/version" && ok "pam-oidc --version runs and says $want" ||
    not_ok "pam-oidc --version" "no $want" "$WORK/version"
for m in man8/pam_oidc.8 man8/pam-oidc.8 man5/pam_oidc.conf.5; do
	check "man page $m" test -f "/usr/share/man/$m.gz"
done
bad="" names=""
for f in "$ROOT"/conf/pam-configs/*; do
	cmp -s "$f" "/usr/share/pam-configs/$(basename "$f")" ||
	    bad="$bad $(basename "$f")"
done
expect "every pam-auth-update profile is in /usr/share/pam-configs" "" "$bad"
for f in $(grep '^/usr/share/pam-configs/.' "$WORK/list"); do
	names="$names $(basename "$f")"
	grep -Eq "^[^#]*pam-auth-update --package --remove.* $(basename "$f")( |\$)" \
	    "/var/lib/dpkg/info/$PKG.prerm" || bad="$bad $(basename "$f")"
done
expect "the prerm removes every profile the package has:$names" "" "$bad"
expect "/etc/pam_oidc.conf is 0600 root" "600 root root" \
    "$(mog /etc/pam_oidc.conf)"
check "/etc/pam_oidc.conf is conf/pam_oidc.conf" \
    cmp -s /etc/pam_oidc.conf "$ROOT/conf/pam_oidc.conf"
dpkg-query -W -f='${Conffiles}\n' "$PKG" | grep -q '^ /etc/pam_oidc.conf ' &&
    ok "/etc/pam_oidc.conf is a conffile" ||
    not_ok "conffile" "/etc/pam_oidc.conf is not one"
# conf/examples, conf/pam.d and conf/sshd_config.d, as they are.
bad=""
for f in "$ROOT"/conf/examples/* "$ROOT"/conf/pam.d/* \
    "$ROOT"/conf/sshd_config.d/*; do
	r="${f#"$ROOT"/conf/}"
	cmp -s "$f" "$DOC/$r" || bad="$bad $r"
done
expect "every example and snippet of conf/ is in $DOC" "" "$bad"
check "the postinst changed no PAM configuration" \
    diff -r "$WORK/orig/pam.d" "$NS/pam.d"
check "the postinst changed no pam-auth-update state" \
    diff -r "$WORK/orig/pam" "$NS/pam"

# --- one login through the installed module, with its default
# configuration path and cache directory
nss_setup "$WORK"
mkdir -p "$WORK/pam.d"
idp_start "$WORK/idp" IDP_INTERVAL=1
# timeout: a hung login fails instead of hanging the test.
write_conf "$WORK/conf" pam-public "wait = poll" "timeout = 60"
grep -v '^cache_dir' "$WORK/conf" >/etc/pam_oidc.conf
# A bare name: libpam finds the module where the package put it.
printf 'auth required pam_oidc.so\naccount required pam_oidc.so\n' \
    >"$WORK/pam.d/deb-login"
login_start "$WORK/login.out" deb-login alice
if code="$(wait_code "$WORK/login.out")"; then
	approve "$code" alice || echo "approve.sh failed" >>"$WORK/login.out"
fi
login_wait
expect "a login through the installed module succeeds" 0 "$LOGIN_RC" \
    "$WORK/login.out"
grep -q '^RESULT acct=Success' "$WORK/login.out" &&
    ok "the account check succeeds" ||
    not_ok "account check" "not Success" "$WORK/login.out"
expect "the module made its cache, $CACHE, 0700 root" "700 root root" \
    "$(mog "$CACHE")"

# --- the profile, enabled by hand, goes with the package
# A pam-auth-update run for another package (forced, so that a hand-edited
# common-* file on this machine does not stop it) leaves the profile off.
ns pam-auth-update --package --force >"$WORK/other.out" 2>&1
expect "pam-auth-update for another package leaves the profile off" "" \
    "$(grep -l pam_oidc "$NS"/pam.d/common-* 2>&1)" "$WORK/other.out"
cp -a "$NS/pam.d" "$WORK/before-enable"
ns pam-auth-update --enable oidc >"$WORK/enable.out" 2>&1
grep -q '^auth.*pam_oidc\.so' "$NS/pam.d/common-auth" &&
    ok "pam-auth-update --enable oidc puts pam_oidc.so in common-auth" ||
    not_ok "enable" "no pam_oidc.so in common-auth" "$WORK/enable.out"
grep -q '^account.*pam_oidc\.so' "$NS/pam.d/common-account" &&
    ok "and in common-account" ||
    not_ok "enable" "no pam_oidc.so in common-account" "$WORK/enable.out"
printf 'auth required pam_oidc.so\n' >"$NS/pam.d/pam-oidc-deb-test"
ns dpkg --remove "$PKG" >"$WORK/remove.out" 2>&1
expect "dpkg --remove" 0 $? "$WORK/remove.out"
expect "dpkg keeps the configuration" "deinstall ok config-files" \
    "$(pkg_status)"
expect "no common-* file names pam_oidc.so after the remove" "" \
    "$(grep -l pam_oidc "$NS"/pam.d/common-* 2>&1)"
grep -q 'pam.d/pam-oidc-deb-test still uses pam_oidc.so' "$WORK/remove.out" &&
    ok "the remove names a hand-written pam.d file that still uses it" ||
    not_ok "hand-written pam.d warning" "missing" "$WORK/remove.out"
rm -f "$NS/pam.d/pam-oidc-deb-test"
check "the module is gone after the remove" test ! -e "$MOD"
check "/etc/pam_oidc.conf stays until the purge" test -f /etc/pam_oidc.conf
check "$CACHE stays until the purge" test -d "$CACHE"

# --- purge: nothing left
ns dpkg --purge "$PKG" >"$WORK/purge.out" 2>&1
expect "dpkg --purge" 0 $? "$WORK/purge.out"
expect "dpkg no longer knows the package" absent "$(pkg_status)"
check "dpkg -L lists nothing" sh -c "! dpkg -L $PKG >/dev/null 2>&1"
left=""
while IFS= read -r p; do
	[ "$p" = /. ] && continue
	grep -qxF "$p" "$WORK/existed" && continue
	[ -e "$p" ] && left="$left $p"
done <"$WORK/list"
expect "every file and directory the package made is gone" "" "$left"
for p in /etc/pam_oidc.conf "$CACHE" "$DOC" /usr/share/pam-configs/oidc; do
	check "$p is gone" test ! -e "$p"
done
expect "no pam.d file names pam_oidc" "" "$(grep -rl pam_oidc "$NS/pam.d")"
expect "pam-auth-update has forgotten the profiles" "" \
    "$(printf '%s\n' $names | grep -xFf - "$NS/pam/seen")"
expect "dpkg holds no script or list of the package" "" \
    "$(ls /var/lib/dpkg/info/ | grep "^$PKG[.:]")"
check "common-* are as they were before the enable" \
    diff -r "$WORK/before-enable" "$NS/pam.d"
check "the machine's /etc/pam.d was never touched" \
    diff -r "$WORK/orig/pam.d" /etc/pam.d
check "the machine's /var/lib/pam was never touched" \
    diff -r "$WORK/orig/pam" /var/lib/pam
INSTALLED=0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
