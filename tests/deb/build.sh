#!/usr/bin/env bash
# Build the Debian package from a copy of the tree and check it with
# lintian. dpkg-buildpackage writes into the parent of the tree it builds,
# which may be read-only (CI clones into some folder), so the build runs in
# a temporary directory and only the results come back, into OUT.
#   build.sh OUT
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-build-deb}"

for tool in dpkg-buildpackage dh lintian fakeroot git; do
	command -v "$tool" >/dev/null 2>&1 ||
	    { echo "deb: $tool is missing; run make deps" >&2; exit 1; }
done

version="$(dpkg-parsechangelog -S Version)"
header="$(sed -n 's/^#define OIDC_VERSION "\(.*\)"$/\1/p' pam_oidc/oidc.h)"
if [ "$version" != "$header" ]; then
	echo "deb: debian/changelog says $version," \
	    "pam_oidc/oidc.h says $header" >&2
	exit 1
fi

tmp="$(mktemp -d /tmp/pam_oidc-deb.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
src="$tmp/libpam-oidc-$version"
mkdir "$src"
# The files git knows of, changed or not, and new ones it does not ignore.
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -C "$src" -xf -

echo "deb: dpkg-buildpackage in $src"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc) >"$tmp/build.log" 2>&1 || {
	tail -n 60 "$tmp/build.log" >&2
	echo "deb: dpkg-buildpackage failed" >&2
	exit 1
}

changes="$(ls "$tmp"/libpam-oidc_"$version"_*.changes)"
echo "deb: lintian $(basename "$changes")"
# Errors and warnings fail the build; each accepted warning is overridden
# in debian/ with its reason. Info tags are shown.
lint_rc=0
lintian --display-info --pedantic --fail-on error,warning "$changes" || lint_rc=$?

rm -rf "$out"
mkdir -p "$out"
find "$tmp" -maxdepth 1 -type f -exec cp {} "$out"/ \;
cp "$tmp/build.log" "$out/build.log"
ls -l "$out"
if [ "$lint_rc" -ne 0 ]; then
	echo "deb: lintian found errors or warnings" >&2
	exit 1
fi
