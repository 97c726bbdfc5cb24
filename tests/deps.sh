#!/usr/bin/env bash
# Install what building, testing and the demo need on a fresh Debian 12
# machine: Debian packages (after apt-get update) and the test provider's
# pinned npm packages. Does nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(gcc make pkg-config libpam0g-dev libpam-modules libcurl4-openssl-dev
      libjansson-dev libssl-dev libqrencode-dev libcmocka-dev libnss-wrapper
      curl openssl
      ca-certificates mandoc clang-format python3 valgrind
      # the person's languages: msgfmt and xgettext for the catalogs
      gettext
      # end to end: real sshd, sudo and login(1) on a terminal; QR read-back
      openssh-server openssh-client sudo tmux zbar-tools strace procps
      # integration: a real HTTP proxy, run by the tests on their own port
      tinyproxy
      # another name service source for the NSS module's tests (never
      # enabled outside their private namespace)
      libnss-extrausers
      # fuzzing (libFuzzer) and static analysis
      clang libclang-rt-14-dev cppcheck clang-tidy
      # the Debian package (make deb)
      dpkg-dev debhelper fakeroot lintian)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# The tests start their own tinyproxy; the package's system service,
	# which apt may have enabled and started just now, is not wanted.
	if [[ " ${missing[*]} " == *" tinyproxy "* ]]; then
		systemctl disable --now tinyproxy.service >/dev/null 2>&1 ||
		    service tinyproxy stop >/dev/null 2>&1 || true
	fi
fi

# A stamp records which lock file node_modules was installed from.
stamp=tests/idp/node_modules/.installed-lock
if ! cmp -s tests/idp/package-lock.json "$stamp" 2>/dev/null; then
	echo "deps: installing the test provider's pinned npm packages"
	(cd tests/idp && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	cp tests/idp/package-lock.json "$stamp"
fi
